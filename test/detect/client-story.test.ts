import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientStory, type ClientStory } from '../../src/detect/client-story.js';
import { ip4, macNum } from '../support/decode.js';
import { arpFrame, echoFrame, PLAN, planConfig, runDetector, segmentFrame } from '../support/detect.js';

const { anycastIp, anycastMac, gw1, gw2, c1, c2, server } = PLAN;

function storyOf(client: { mac: number; ipv4: number }, frames: Parameters<typeof runDetector>[2]): ClientStory {
  const config = planConfig({ gateways: true });
  config.client = client;
  const story = runDetector(clientStory, config, frames).detector.result();
  assert.ok(story !== undefined);
  return story;
}

test('a client named by IP gets its MAC from its frames, and its story: what it learned, each ping and who answered, what was lost', () => {
  const s = storyOf({ mac: -1, ipv4: ip4(c1.ip) }, [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.0001),
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: gw1.mac, src: c1.ip, dst: anycastIp, seq: 1 }, 1.0002),
    echoFrame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, seq: 1 }, 1.0005),
    arpFrame({ op: 'request', sha: anycastMac, spa: anycastIp, tpa: c1.ip }, 1.0006),
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: anycastIp, seq: 2 }, 2),
    // seq 2 is never answered; another client's traffic is not in the story.
    echoFrame({ type: 'request', ethSrc: c2.mac, ethDst: anycastMac, src: c2.ip, dst: anycastIp, seq: 9 }, 2.5),
  ]);
  assert.equal(s.mac, macNum(c1.mac));
  assert.deepEqual([s.framesFrom, s.echoSent, s.echoAnswered], [2, 2, 1]);
  assert.deepEqual(s.echoAnsweredBy, [{ mac: macNum(anycastMac), replies: 1 }]);
  assert.deepEqual(
    s.sentTo.map((x) => [x.mac, x.frames]),
    [
      [macNum(gw1.mac), 1],
      [macNum(anycastMac), 1],
    ],
  );
  assert.deepEqual(
    s.events.map((e) =>
      e.type === 'learned'
        ? `${e.frame} learned ${e.mac === macNum(gw1.mac) ? 'gw1' : 'anycast'}`
        : e.type === 'echo'
          ? `${e.frame} echo ${e.rttSeconds >= 0 ? 'answered' : 'lost'}`
          : e.type,
    ),
    ['2 learned gw1', '3 echo answered', '5 learned anycast', '6 echo lost'],
  );
});

test('a client named by MAC gets its IP from its frames; a TCP flow answered from another gateway than before is in its story', () => {
  const s = storyOf({ mac: macNum(c1.mac), ipv4: -1 }, [
    segmentFrame({ ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: server, sport: 40000, dport: 443 }, 1),
    segmentFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: server, dst: c1.ip, sport: 443, dport: 40000 }, 1.1),
    segmentFrame({ ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: server, sport: 40000, dport: 443 }, 2),
    segmentFrame({ ethSrc: gw2.mac, ethDst: c1.mac, src: server, dst: c1.ip, sport: 443, dport: 40000 }, 2.1),
  ]);
  assert.equal(s.ipv4, ip4(c1.ip));
  assert.equal(s.events.length, 1);
  const moved = s.events[0]!;
  assert.ok(moved.type === 'flow-moved');
  assert.deepEqual([moved.fromMac, moved.toMac, moved.server, moved.serverPort], [macNum(gw1.mac), macNum(gw2.mac), ip4(server), 443]);
});

test('without --client the story detector keeps nothing', () => {
  const run = runDetector(clientStory, planConfig({ gateways: true }), [arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1)]);
  assert.equal(run.detector.result(), undefined);
});
