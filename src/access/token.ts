// API token format. New tokens look like GitHub's: a recognisable prefix, the
// secret (32 random bytes), and a CRC32 checksum, so that a mistyped or made-up
// token with our prefix is refused without a database round trip and a leaked
// token is easy for secret scanners to spot. Tokens are still opaque: a token
// without our prefix is looked up like any other (Qwoty has issued several formats).
import { sha256Hex } from "../lib/hash";

export const tokenPrefix = "qwt_prod_";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const secretLength = 43; // 32 bytes in base62
const checksumLength = 6; // 32 bits in base62
const ourFormat = new RegExp(`^${tokenPrefix}([0-9A-Za-z]{${secretLength}})([0-9A-Za-z]{${checksumLength}})$`);
// RFC 6750 b64token, bounded: anything else cannot be a token of any format.
const bearerToken = /^[A-Za-z0-9\-._~+/]+=*$/;
export const maxTokenLength = 256;

function toBase62(value: bigint, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = base62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

let crcTable: Uint32Array | undefined;
function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// The checksum is checked on every request: a 32-bit number needs no BigInt
// arithmetic (the same digits as toBase62, several times cheaper).
function checksumOf(secret: string): string {
  let value = crc32(tokenPrefix + secret);
  let out = "";
  for (let i = 0; i < checksumLength; i++) {
    out = base62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A new secret token: `qwt_prod_` + 43 base62 characters of randomness + 6 of checksum. */
export function mintToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const secret = toBase62(value, secretLength);
  return tokenPrefix + secret + checksumOf(secret);
}

export type TokenShape = "ours" | "foreign" | "malformed";

/**
 * What can be told about a token without the database: `malformed` cannot be any
 * token (bad characters, too long, or our prefix with a wrong checksum); `ours`
 * passed the checksum; `foreign` must be looked up.
 */
export function tokenShape(token: string): TokenShape {
  if (token.length === 0 || token.length > maxTokenLength || !bearerToken.test(token)) return "malformed";
  if (!token.startsWith(tokenPrefix)) return "foreign";
  const match = ourFormat.exec(token);
  if (!match || checksumOf(match[1] as string) !== match[2]) return "malformed";
  return "ours";
}

/** SHA-256 of the token, lowercase hex: the only form in which a token is stored or compared. */
export const hashToken = (token: string): Promise<string> => sha256Hex(token);

/** What lists show of a token: enough to recognise it, far too little to use it. */
export const tokenHint = (token: string) => `${token.slice(0, tokenPrefix.length + 4)}…`;
