/**
 * A capture that cannot be read further. Carries the byte offset of the
 * fault so the CLI can print "FILE: byte N: what is wrong", and is thrown
 * only after every frame before the fault has been delivered.
 */
export class CaptureFormatError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'CaptureFormatError';
    this.offset = offset;
  }
}

