/**
 * The link types anycast-probe reads: the one list. The frame decoder has a
 * first layer for each; readers, live engines and messages take names and
 * the "supported" wording from here.
 * Values: LINKTYPE_* of https://www.tcpdump.org/linktypes.html.
 */
export const LinkType = {
  ethernet: 1,
  ppp: 9,
  /** PPP in HDLC-like framing (RFC 1662): address and control bytes first, which the PPP path skips. */
  pppHdlc: 50,
  raw: 101,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;
export type LinkTypeValue = (typeof LinkType)[keyof typeof LinkType];

const NAMES: Readonly<Record<LinkTypeValue, string>> = {
  [LinkType.ethernet]: 'Ethernet',
  [LinkType.ppp]: 'PPP',
  [LinkType.pppHdlc]: 'PPP in HDLC framing',
  [LinkType.raw]: 'raw IP',
  [LinkType.linuxSll]: 'Linux cooked v1 (SLL)',
  [LinkType.ipv4]: 'raw IPv4',
  [LinkType.ipv6]: 'raw IPv6',
  [LinkType.linuxSll2]: 'Linux cooked v2 (SLL2)',
};

const SUPPORTED: ReadonlySet<number> = new Set(Object.values(LinkType));

/** A link type the frame decoder has a first layer for. */
export function isSupportedLinkType(linkType: number): linkType is LinkTypeValue {
  return SUPPORTED.has(linkType);
}

export function linkTypeName(linkType: number): string {
  return isSupportedLinkType(linkType) ? NAMES[linkType] : `link type ${linkType}`;
}

/** Every supported link type with its number, for messages: "Ethernet 1, PPP 9, …". */
export function supportedLinkTypesText(): string {
  return Object.values(LinkType)
    .map((v) => `${NAMES[v]} ${v}`)
    .join(', ');
}

/** The one message for a capture (or interface) of a link type the decoder has no first layer for. */
export function unsupportedLinkTypeText(linkType: number): string {
  return `${linkTypeName(linkType)} is not supported: anycast-probe decodes the link types ${supportedLinkTypesText()}; capture on the mesh bridge or with tcpdump -i any`;
}
