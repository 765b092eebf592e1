/**
 * Request parameter validation as Proxmox's `PVE::JSONSchema::validate` does it (pve-common): the same order of
 * checks, the same messages, the same `errors` map keys. Values arrive as strings (form/query encoding) or as
 * JSON values (JSON bodies); a JSON `true`/`false` is a reference in Perl (`JSON::PP::Boolean`) and only a
 * boolean accepts it, a JSON array/object is `ARRAY`/`HASH`.
 */
import { isIP } from 'node:net';

export interface PropSchema {
  type?: string | string[];
  optional?: number | boolean;
  format?: string | Record<string, PropSchema>;
  pattern?: string;
  /** JavaScript translation of `pattern`, written by the generator. */
  jsPattern?: string | { source: string; flags: string };
  enum?: Array<string | number>;
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  default_key?: number | boolean;
  alias?: string;
  keyAlias?: string;
  requires?: string | PropSchema;
  description?: string;
  typetext?: string;
  items?: PropSchema;
  properties?: Record<string, PropSchema>;
  additionalProperties?: number | boolean | PropSchema;
  /** For indexed keys (`net[n]`): how many instances exist (net0..net31 → 32). */
  'x-instances'?: number;
}

export interface ParamSchema {
  additionalProperties?: number | boolean;
  properties: Record<string, PropSchema>;
}

export type Errors = Record<string, string>;

class FormatError extends Error {
  constructor(
    message: string,
    readonly errors?: Errors,
  ) {
    super(message);
  }
  /** `PVE::Exception` stringification: message, then one `key: reason` line per error. */
  perlString(): string {
    let msg = this.message;
    if (this.errors) for (const [k, v] of Object.entries(this.errors)) msg += `${k}: ${v}\n`;
    return msg;
  }
}

function addError(errors: Errors, path: string, msg: string): void {
  const key = path === '' ? '_root' : path;
  const prev = errors[key];
  // Perl joins with the two characters backslash-n (single-quoted '\n'); reproduced as is.
  errors[key] = prev === undefined ? msg : `${prev}\\n${msg}`;
}

/** Perl's `ref($value)` for a decoded JSON value ('' for plain scalars). */
function perlRef(value: unknown): string {
  if (typeof value === 'boolean') return 'JSON::PP::Boolean';
  if (Array.isArray(value)) return 'ARRAY';
  if (value !== null && typeof value === 'object') return 'HASH';
  return '';
}

/** A scalar as Perl would print it. */
export function perlScalar(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e15 ? value.toFixed(0) : String(value);
  return String(value);
}

const IS_NUMBER = /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;
const IS_INTEGER = /^[+-]?\d+$/;

function checkType(path: string, type: string | string[] | undefined, value: unknown, errors: Errors): boolean {
  if (!type) return true;
  if (Array.isArray(type)) {
    for (const t of type) {
      const tmp: Errors = {};
      checkType(path, t, value, tmp);
      if (Object.keys(tmp).length === 0) return true;
    }
    addError(errors, path, `type check ('${type.join('|')}') failed`);
    return false;
  }
  if (type === 'any') return true;
  if (type === 'null') {
    addError(errors, path, `type check ('${type}') failed - value is not null`);
    return false;
  }
  const ref = perlRef(value);
  if (type === 'array') {
    if (ref !== 'ARRAY') {
      addError(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (type === 'object') {
    if (ref !== 'HASH') {
      addError(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (ref) {
    if (type === 'boolean' && ref === 'JSON::PP::Boolean') return true;
    addError(errors, path, `type check ('${type}') failed - got ${ref}`);
    return false;
  }
  const s = perlScalar(value);
  if (type === 'boolean') {
    if (s === '1' || s === '0') return true;
    addError(errors, path, `type check ('${type}') failed - got '${s}'`);
    return false;
  }
  if (type === 'integer' && !IS_INTEGER.test(s)) {
    addError(errors, path, `type check ('${type}') failed - got '${s}'`);
    return false;
  }
  if (type === 'number' && !IS_NUMBER.test(s)) {
    addError(errors, path, `type check ('${type}') failed - got '${s}'`);
    return false;
  }
  return true;
}

/** `PVE::Tools::split_list`: commas and semicolons are separators too, then whitespace splits. */
export function splitList(text: string): string[] {
  if (text.includes('\0')) return text.split('\0');
  return text
    .replace(/[,;]/g, ' ')
    .replace(/^\s+/, '')
    .split(/\s+/)
    .filter((s) => s !== '');
}

const TAG_RE = /^[a-z0-9_][a-z0-9_\-+.]*$/i;

function verifyIp(v: string, family: 0 | 4 | 6): boolean {
  const f = isIP(v);
  return family === 0 ? f !== 0 : f === family;
}

function verifyCidr(v: string, family: 4 | 6): boolean {
  const m = /^(.+)\/(\d+)$/.exec(v);
  if (!m || !m[1] || !m[2]) return false;
  const bits = Number(m[2]);
  return isIP(m[1]) === family && bits > 7 && bits <= (family === 4 ? 32 : 128);
}

function parseSize(v: string): number | null {
  const m = /^(\d+(\.\d+)?)([KMGT])?$/.exec(v);
  if (!m) return null;
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[3] ?? ''] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

/** Proxmox's registered string formats that matter for the simulated endpoints; others are accepted as is. */
const FORMATS: Record<string, (v: string) => void> = {
  'pve-vmid': (v) => {
    if (!/^[1-9][0-9]{2,8}$/.test(v)) throw new FormatError('value does not look like a valid VM ID\n');
  },
  'pve-node': (v) => {
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(v)) throw new FormatError('value does not look like a valid node name\n');
  },
  'dns-name': (v) => {
    const name = '([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)';
    if (!new RegExp(`^(${name}\\.)*${name}$`).test(v)) throw new FormatError('value does not look like a valid DNS name\n');
  },
  'pve-configid': (v) => {
    if (!/^[a-z][a-z0-9_-]+$/i.test(v)) throw new FormatError(`invalid configuration ID '${v}'\n`);
  },
  'pve-storage-id': (v) => {
    if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v)) throw new FormatError(`storage ID '${v}' contains illegal characters\n`);
  },
  'pve-poolid': (v) => {
    if (!/^[A-Za-z0-9.\-_]+(\/[A-Za-z0-9.\-_]+){0,2}$/.test(v)) throw new FormatError(`invalid pool ID '${v}'\n`);
  },
  'pve-tag': (v) => {
    if (!TAG_RE.test(v)) throw new FormatError('invalid characters in tag\n');
  },
  'pve-bridge-id': (v) => {
    if (!/^[-_.\w\d]+$/.test(v)) throw new FormatError(`invalid bridge ID '${v}'\n`);
  },
  urlencoded: (v) => {
    if (!/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v)) throw new FormatError(`invalid urlencoded string: ${v}\n`);
  },
  'mac-addr': (v) => {
    if (!/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v)) throw new FormatError('value does not look like a valid unicast MAC address\n');
  },
  ipv4: (v) => {
    if (!verifyIp(v, 4)) throw new FormatError('value does not look like a valid IPv4 address\n');
  },
  ipv6: (v) => {
    if (!verifyIp(v, 6)) throw new FormatError('value does not look like a valid IPv6 address\n');
  },
  ip: (v) => {
    if (!verifyIp(v, 0)) throw new FormatError('value does not look like a valid IP address\n');
  },
  CIDRv4: (v) => {
    if (!verifyCidr(v, 4)) throw new FormatError('value does not look like a valid IPv4 CIDR network\n');
  },
  CIDRv6: (v) => {
    if (!verifyCidr(v, 6)) throw new FormatError('value does not look like a valid IPv6 CIDR network\n');
  },
  CIDR: (v) => {
    if (!verifyCidr(v, 4) && !verifyCidr(v, 6)) throw new FormatError('value does not look like a valid CIDR network\n');
  },
  address: (v) => {
    if (!verifyIp(v, 0)) {
      try {
        FORMATS['dns-name']?.(v);
      } catch {
        throw new FormatError(`value does not look like a valid address: ${v}\n`);
      }
    }
  },
  'disk-size': (v) => {
    if (parseSize(v) === null) throw new FormatError(`value does not look like a valid disk size: ${v}\n`);
  },
};

function parseBoolean(v: string): '1' | '0' | null {
  if (/^(1|on|yes|true)$/i.test(v)) return '1';
  if (/^(0|off|no|false)$/i.test(v)) return '0';
  return null;
}

/** `PVE::JSONSchema::parse_property_string` (hash formats such as `memory`, `net[n]`, `scsi[n]`). */
export function parsePropertyString(format: Record<string, PropSchema>, data: string, path: string): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv && kv[1] !== undefined && kv[2] !== undefined) {
      let k = kv[1];
      let v = kv[2];
      if (res[k] !== undefined) throw new FormatError(`duplicate key in comma-separated list property: ${k}\n`);
      let schema = format[k];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (res[schema.keyAlias] !== undefined) throw new FormatError(`key alias '${schema.keyAlias}' is already defined\n`);
          res[schema.keyAlias] = k;
        }
        k = schema.alias;
        schema = format[k];
      }
      if (!schema) throw new FormatError(`invalid key in comma-separated list property: ${k}\n`);
      if (schema.type === 'boolean') v = parseBoolean(v) ?? v;
      res[k] = v;
    } else if (!part.includes('=')) {
      if (defaultKey) throw new FormatError(`duplicate key in comma-separated list property: ${defaultKey}\n`);
      for (const [key, schema] of Object.entries(format)) {
        if (schema.default_key) {
          defaultKey = key;
          if (!res[key]) {
            res[key] = part;
            break;
          }
          throw new FormatError(`duplicate key in comma-separated list property: ${key}\n`);
        }
      }
      if (!defaultKey) throw new FormatError('value without key, but schema does not define a default key\n');
    } else {
      throw new FormatError('missing key in comma-separated list property\n');
    }
  }
  const errors: Errors = {};
  checkObject(path, format, res, false, errors);
  if (Object.keys(errors).length > 0) throw new FormatError('format error\n', errors);
  return res;
}

function checkFormat(format: string | Record<string, PropSchema>, value: string, path: string): void {
  if (typeof format === 'object') {
    parsePropertyString(format, value, path);
    return;
  }
  if (format === 'regex') return;
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format);
  const name = m?.[1] ?? format;
  const kind = m?.[2];
  const fn = FORMATS[name];
  if (!fn) return; // a format the simulator does not model: accepted
  if (kind === 'list') for (const item of splitList(value)) fn(item);
  else if (kind === 'opt') {
    if (value) fn(value);
  } else fn(value);
}

function compilePattern(schema: PropSchema): RegExp | null {
  const js = schema.jsPattern;
  if (js === undefined) return null;
  const source = typeof js === 'string' ? js : js.source;
  const flags = typeof js === 'string' ? '' : js.flags;
  return new RegExp(`^(?:${source})$`, flags);
}

function checkProp(value: unknown, schema: PropSchema, path: string, errors: Errors): void {
  if (value === undefined || value === null) {
    if (schema.type === 'null') return;
    if (!schema.optional && !schema.alias) addError(errors, path, 'property is missing and it is not optional');
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (perlRef(value) === 'ARRAY') {
    if (schema.items) (value as unknown[]).forEach((el, i) => checkProp(el, schema.items as PropSchema, `${path}[${i}]`, errors));
    return;
  }
  if (perlRef(value) === 'HASH') {
    if (schema.properties || schema.additionalProperties) {
      checkObject(path, schema.properties ?? {}, value as Record<string, unknown>, schema.additionalProperties ?? undefined, errors);
    }
    return;
  }
  if (perlRef(value)) return; // a JSON boolean for a boolean property
  const s = perlScalar(value);
  if (schema.format) {
    try {
      checkFormat(schema.format, s, path);
    } catch (err) {
      const text = err instanceof FormatError ? err.perlString() : `${String(err)}\n`;
      addError(errors, path, `invalid format - ${text}`);
      return;
    }
  }
  if (schema.pattern !== undefined) {
    const re = compilePattern(schema);
    if (re && !re.test(s)) {
      addError(errors, path, 'value does not match the regex pattern');
      return;
    }
  }
  if (schema.maxLength !== undefined && s.length > schema.maxLength) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && s.length < schema.minLength) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (IS_NUMBER.test(s)) {
    if (schema.maximum !== undefined && Number(s) > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(s) < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.some((e) => String(e) === s)) {
    addError(errors, path, `value '${s}' does not have a value in the enumeration '${schema.enum.join(', ')}'`);
  }
}

/** The schema entry for a key, resolving indexed keys (`net3` → `net[n]` when 3 < x-instances). */
export function lookupProperty(properties: Record<string, PropSchema>, key: string): PropSchema | undefined {
  if (Object.prototype.hasOwnProperty.call(properties, key)) return properties[key];
  const m = /^([a-z_-]+?)(\d+)$/i.exec(key);
  if (!m || !m[1] || !m[2]) return undefined;
  const indexed = properties[`${m[1]}[n]`];
  if (!indexed) return undefined;
  if (String(Number(m[2])) !== m[2]) return undefined;
  return Number(m[2]) < (indexed['x-instances'] ?? 1) ? indexed : undefined;
}

function checkObject(
  path: string,
  properties: Record<string, PropSchema>,
  value: Record<string, unknown>,
  additional: number | boolean | PropSchema | undefined,
  errors: Errors,
): void {
  for (const [k, schema] of Object.entries(properties)) {
    if (k.endsWith('[n]')) continue; // indexed keys are all optional
    checkProp(value[k], schema, path ? `${path}.${k}` : k, errors);
  }
  for (const k of Object.keys(value)) {
    const newPath = path ? `${path}.${k}` : k;
    const schema = lookupProperty(properties, k);
    if (schema) {
      if (Object.prototype.hasOwnProperty.call(properties, k)) {
        if (typeof schema.requires === 'string' && (value[schema.requires] === undefined || value[schema.requires] === null)) {
          addError(errors, path ? `${path}.${schema.requires}` : schema.requires, `missing property - '${newPath}' requires this property`);
        }
      } else {
        checkProp(value[k], schema, newPath, errors); // an indexed key, not covered by the loop above
      }
      continue;
    }
    if (additional !== undefined && !additional) {
      addError(errors, newPath, 'property is not defined in schema and the schema does not allow additional properties');
      continue;
    }
    if (typeof additional === 'object') checkProp(value[k], additional, newPath, errors);
  }
}

/** Validates request parameters; returns the `errors` map of a 400 "Parameter verification failed.", or null. */
export function validateParams(params: Record<string, unknown>, schema: ParamSchema): Errors | null {
  const errors: Errors = {};
  checkObject('', schema.properties, params, schema.additionalProperties ?? 0, errors);
  return Object.keys(errors).length > 0 ? errors : null;
}
