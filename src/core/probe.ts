/** What `probe` plans and finds: shared by the probe session (pipeline/) and its report (report/). */

export interface ProbePlan {
  /** This host's MAC and IPv4 address on the probed interface (the requests' source). */
  sourceMac: number;
  sourceIp: number;
  anycastIpv4: readonly number[];
  /** The anycast IPv6 addresses (NS to their solicited-node group, echo to the anycast MAC), and this host's source for them (null: no IPv6 here). */
  anycastIpv6: readonly Uint32Array[];
  sourceIpv6: Uint32Array | null;
  /** The anycast MAC given; -1: send the echo requests to the MAC that answered the first round's ARP most. */
  anycastMac: number;
  /** Rounds: each sends one ARP who-has per anycast IP, then one echo request per anycast IP. */
  count: number;
  /** Seconds between rounds. */
  interval: number;
  /** Seconds to wait for answers after the last request. */
  timeout: number;
  /** ICMP identifier of our echo requests. */
  echoId: number;
}

/** What answered: ARP reply, ICMP echo reply, neighbor advertisement, ICMPv6 echo reply. */
export type ProbeAnswerKind = 'arp' | 'echo' | 'na' | 'echo6';

/** One MAC that answered, per anycast IP and kind. */
export interface ProbeAnswer {
  /** The anycast IPv4 address asked for, or -1 (IPv6: anycastIpv6Index). */
  anycastIp: number;
  anycastIpv6Index: number;
  kind: ProbeAnswerKind;
  /** The MAC that answered: the ARP sender MAC or the NA's target link-layer address, or the echo reply's Ethernet source. */
  mac: number;
  /** ARP: the Ethernet source, when it differs from the sender MAC (else -1). */
  ethernetSource: number;
  replies: number;
  /** Round-trip times (s) of the replies whose request the capture saw. */
  rttMin: number;
  rttMax: number;
  rttSum: number;
  rttCount: number;
}

export interface ProbeResult {
  plan: ProbePlan;
  /**
   * The anycast MAC, and where it came from: given (flags, config file, the
   * macvlan on the probed bridge), or settled from the answers after the run
   * (one MAC answering a request several times: once per gateway); -1 and
   * 'unknown' while the answers cannot tell (one MAC answering once per
   * request is a single gateway's anycast MAC or a bridge's alike).
   */
  anycastMac: number;
  anycastMacSource: 'given' | 'answers' | 'unknown';
  /** The MAC the echo requests went to: the anycast MAC given, else the one that answered ARP most in the first round; -1: none sent. */
  echoMac: number;
  arpSent: number;
  echoSent: number;
  nsSent: number;
  echo6Sent: number;
  /** Echo requests answered at least once, per anycast address: the IPv4 ones in plan order, then the IPv6 ones. */
  echoAnswered: number[];
  answers: ProbeAnswer[];
}
