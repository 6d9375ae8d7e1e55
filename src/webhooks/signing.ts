// Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is
// `whsec_` + base64 of random bytes; a delivery's `webhook-signature` is
// `v1,` + base64 HMAC-SHA256, keyed with the decoded bytes, of
// "{webhook-id}.{webhook-timestamp}.{body}". Several signatures are separated by
// spaces (during a rotation: the new secret's, then the previous one's).

const secretPrefix = "whsec_";

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A new signing secret: whsec_ + base64 of 24 random bytes. */
export function mintSecret(): string {
  return secretPrefix + base64(crypto.getRandomValues(new Uint8Array(24)));
}

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  const raw = atob(secret.slice(secretPrefix.length));
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** `v1,<signature>` of the content with each secret, space-separated. */
export async function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string) {
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await crypto.subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      return `v1,${base64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
    }),
  );
  return signatures.join(" ");
}
