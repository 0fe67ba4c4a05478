/**
 * A small JSON Schema (draft 2020-12) validator for the subset
 * schema/frame.schema.json uses: type, properties, required,
 * additionalProperties: false, items, enum, const, minimum, oneOf. Annotation keywords
 * ($schema, $id, title, description) are ignored; any other keyword is an
 * error, so the schema cannot use something this validator would skip.
 */

export interface Schema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: SchemaType | SchemaType[];
  properties?: Record<string, Schema>;
  required?: string[];
  /** false: no other property; a schema: every other property must match it. */
  additionalProperties?: false | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  /** Exactly one of these must validate (as in JSON Schema). */
  oneOf?: Schema[];
}

type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'oneOf',
]);

function typeOf(value: unknown): SchemaType | 'undefined' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as SchemaType;
  return 'undefined';
}

function typeMatches(actual: SchemaType | 'undefined', wanted: SchemaType): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

/** Every way `value` breaks `schema`, as "path: problem" strings; empty when it is valid. */
export function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED_KEYWORDS.has(key)) errors.push(`${at}: schema keyword "${key}" is not supported by this validator`);
  }
  if (schema.type !== undefined) {
    const wanted = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!wanted.some((w) => typeMatches(actual, w))) {
      errors.push(`${at}: expected ${wanted.join(' or ')}, got ${actual}`);
      return errors;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && schema.const !== value) {
    errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  }
  if (schema.oneOf !== undefined) {
    const results = schema.oneOf.map((branch) => validate(branch, value, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing !== 1) {
      const why = passing === 0 ? results.map((r, i) => `branch ${i}: ${r[0] ?? ''}`).join('; ') : `${passing} branches match`;
      errors.push(`${at}: must match exactly one of ${schema.oneOf.length} branches (${why})`);
    }
  }
  if (schema.maximum !== undefined && typeof value === 'number' && value > schema.maximum) {
    errors.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) {
    errors.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in obj)) errors.push(`${at}: missing required property "${name}"`);
    }
    for (const [name, v] of Object.entries(obj)) {
      const sub = schema.properties?.[name];
      if (sub !== undefined) errors.push(...validate(sub, v, `${at}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: property "${name}" is not allowed`);
      else if (schema.additionalProperties !== undefined) errors.push(...validate(schema.additionalProperties, v, `${at}.${name}`));
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => {
      errors.push(...validate(schema.items!, v, `${at}[${i}]`));
    });
  }
  return errors;
}
