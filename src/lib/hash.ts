// Byte → two hex digits, built once per isolate: the token's hash is computed on
// every request, and a table lookup is cheaper than toString + padStart per byte.
const hexOf = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

const utf8 = new TextEncoder();

/** SHA-256 of a text, lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += hexOf[digest[i] as number];
  return hex;
}
