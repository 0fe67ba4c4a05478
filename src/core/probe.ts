/** What `probe` plans and finds: shared by the probe session (pipeline/) and its report (report/). */

export interface ProbePlan {
  /** This host's MAC and IPv4 address on the probed interface (the requests' source). */
  sourceMac: number;
  sourceIp: number;
  anycastIpv4: readonly number[];
  /** The anycast MAC to send echo requests to; -1: take it from the first round's ARP answers. */
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

/** One MAC that answered, per anycast IP and kind. */
export interface ProbeAnswer {
  anycastIp: number;
  kind: 'arp' | 'echo';
  /** The MAC that answered: the ARP sender MAC, or the echo reply's Ethernet source. */
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
  /** The anycast MAC echo requests went to, and where it came from. */
  anycastMac: number;
  anycastMacSource: 'given' | 'answers' | 'unknown';
  arpSent: number;
  echoSent: number;
  /** Echo requests answered at least once, per anycast IP in plan order. */
  echoAnswered: number[];
  answers: ProbeAnswer[];
}
