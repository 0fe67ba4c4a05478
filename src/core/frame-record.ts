/**
 * The one record every capture source fills in. A source owns a single
 * instance and overwrites it for every frame: a consumer that keeps anything
 * past its `frame()` call must copy the numbers or bytes it needs.
 */
export interface FrameRecord {
  /** 1-based position of the record in the capture, as tcpdump -# and tshark number it. */
  number: number;
  /** Capture time: whole seconds since the epoch and the nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /** Digits the source's clock really has: 6 for microsecond files, 9 for nanosecond ones. */
  tsDigits: number;
  /** Bytes present in `data` (may be less than wireLen when the snap length cut the frame). */
  capLen: number;
  /** Length of the frame on the wire. */
  wireLen: number;
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** pcapng interface id (0 for classic pcap and live captures). */
  interfaceId: number;
  /** The frame is data[offset .. offset + capLen). The buffer is reused for the next frame. */
  data: Uint8Array;
  offset: number;
  /** Byte offset of the record (pcap record header or pcapng block) in the input. */
  fileOffset: number;
}

export function emptyFrameRecord(): FrameRecord {
  return {
    number: 0,
    tsSec: 0,
    tsNsec: 0,
    tsDigits: 6,
    capLen: 0,
    wireLen: 0,
    linkType: 0,
    interfaceId: 0,
    data: new Uint8Array(0),
    offset: 0,
    fileOffset: 0,
  };
}

/** Receives frames synchronously, in capture order. */
export interface FrameSink {
  frame(record: FrameRecord): void;
}
