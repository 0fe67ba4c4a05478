import type { Detector } from './detector.js';
import { UnicastArpReplyDetector } from './unicast-arp-reply.js';
import { UnicastNeighborAdvertDetector } from './unicast-neighbor-advert.js';
import { AnycastReplyUnicastMacDetector } from './anycast-reply-unicast-mac.js';
import { AsymmetricReplyDetector } from './asymmetric-reply.js';
import { InterGatewayTrafficDetector } from './inter-gateway-traffic.js';
import { AnycastClaimsTracker } from './anycast-claims.js';

/**
 * Every detector, created fresh per analysis: a plain array, run by a loop
 * (finish). Per frame, Analysis.observe calls them in this array's order.
 */
export interface DetectorSet {
  unicastArpReply: UnicastArpReplyDetector;
  unicastNeighborAdvert: UnicastNeighborAdvertDetector;
  anycastReplyUnicastMac: AnycastReplyUnicastMacDetector;
  asymmetricReply: AsymmetricReplyDetector;
  interGatewayTraffic: InterGatewayTrafficDetector;
  anycastClaims: AnycastClaimsTracker;
  all: Detector[];
}

export function createDetectors(): DetectorSet {
  const set = {
    unicastArpReply: new UnicastArpReplyDetector(),
    unicastNeighborAdvert: new UnicastNeighborAdvertDetector(),
    anycastReplyUnicastMac: new AnycastReplyUnicastMacDetector(),
    asymmetricReply: new AsymmetricReplyDetector(),
    interGatewayTraffic: new InterGatewayTrafficDetector(),
    anycastClaims: new AnycastClaimsTracker(),
  };
  return {
    ...set,
    all: [set.anycastReplyUnicastMac, set.unicastArpReply, set.unicastNeighborAdvert, set.asymmetricReply, set.interGatewayTraffic, set.anycastClaims],
  };
}
