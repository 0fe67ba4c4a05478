import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSupportedLinkType, LinkType, linkTypeName, unsupportedLinkTypeText } from '../../src/core/link-type.js';

test('the unsupported-link-type message names every link type the decoder reads, with its number', () => {
  const text = unsupportedLinkTypeText(160);
  assert.match(text, /^link type 160 is not supported: /);
  for (const value of Object.values(LinkType)) {
    assert.ok(text.includes(`${linkTypeName(value)} ${value}`), `${linkTypeName(value)} ${value} missing from: ${text}`);
    assert.ok(isSupportedLinkType(value));
  }
  assert.equal(isSupportedLinkType(160), false);
});
