/**
 * Reads the corpus oracle: tshark's `-T fields -E separator=,` CSV. tshark
 * joins several occurrences of one field (outer and inner Ethernet of a
 * batman-adv frame, the ICMP header quoted in an ICMP error) with the same
 * comma that separates columns, so a row is parsed by matching tokens to
 * typed columns, preferring splits where paired fields (src/dst, type/code)
 * have as many occurrences as each other.
 */

export interface OracleRow {
  frame: number;
  ethSrc: string[];
  ethDst: string[];
  arpOpcode: string[];
  arpSrcHw: string[];
  arpSrcIp: string[];
  arpDstHw: string[];
  arpDstIp: string[];
  icmpType: string[];
  icmpCode: string[];
  icmpIdent: string[];
  icmpSeq: string[];
  icmpv6Type: string[];
}

type ColumnType = 'int' | 'mac' | 'ipv4' | 'hw';
const COLUMNS: ColumnType[] = ['int', 'mac', 'mac', 'int', 'hw', 'ipv4', 'hw', 'ipv4', 'int', 'int', 'int', 'int', 'int'];
const PATTERNS: Record<ColumnType, RegExp> = {
  int: /^\d+$/,
  mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
  hw: /^[0-9a-f]{2}(:[0-9a-f]{2})*$/,
  ipv4: /^\d{1,3}(\.\d{1,3}){3}$/,
};
/** Column pairs that tshark fills from the same header occurrence. */
const PAIRS: [number, number][] = [
  [1, 2],
  [4, 5],
  [5, 6],
  [6, 7],
  [3, 4],
  [8, 9],
  [10, 11],
];

export function parseOracleCsv(text: string): OracleRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rows: OracleRow[] = [];
  for (const line of lines.slice(1)) {
    const cols = splitRow(line.split(','));
    if (cols === null) throw new Error(`cannot parse oracle row: ${line}`);
    rows.push({
      frame: Number(cols[0]![0]),
      ethSrc: cols[1]!,
      ethDst: cols[2]!,
      arpOpcode: cols[3]!,
      arpSrcHw: cols[4]!,
      arpSrcIp: cols[5]!,
      arpDstHw: cols[6]!,
      arpDstIp: cols[7]!,
      icmpType: cols[8]!,
      icmpCode: cols[9]!,
      icmpIdent: cols[10]!,
      icmpSeq: cols[11]!,
      icmpv6Type: cols[12]!,
    });
  }
  return rows;
}

function splitRow(tokens: string[]): string[][] | null {
  let best: string[][] | null = null;
  let bestScore = Infinity;
  const current: string[][] = [];
  const walk = (col: number, at: number): void => {
    if (col === COLUMNS.length) {
      if (at !== tokens.length) return;
      const score = PAIRS.reduce((sum, [a, b]) => {
        const la = current[a]!.length;
        const lb = current[b]!.length;
        return la === 0 || lb === 0 ? sum : sum + Math.abs(la - lb);
      }, 0);
      if (score < bestScore) {
        bestScore = score;
        best = current.map((c) => [...c]);
      }
      return;
    }
    if (tokens[at] === '') {
      current.push([]);
      walk(col + 1, at + 1);
      current.pop();
      return;
    }
    const pattern = PATTERNS[COLUMNS[col]!];
    for (let n = 1; at + n <= tokens.length && pattern.test(tokens[at + n - 1]!); n++) {
      current.push(tokens.slice(at, at + n));
      walk(col + 1, at + n);
      current.pop();
    }
  };
  walk(0, 0);
  return best;
}
