// Base64url without padding, for the opaque cursors the API hands out (ASCII text only).

export const toBase64Url = (text: string): string =>
  btoa(text).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");

/** The text a base64url value encodes; undefined when it is not base64url. */
export function fromBase64Url(value: string): string | undefined {
  try {
    return atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
}
