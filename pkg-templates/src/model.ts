// Fetching the model file: without credentials, checked against its SRI
// hash when the page gives one, its content type sanity-checked, and capped
// in size while it downloads. The engine then checks the checksum in its
// header.

const MAX_MODEL_BYTES = 32 * 1024 * 1024;

/** The model's bytes; rejects with what went wrong (HTTP status, content type, size, integrity, network). */
export async function fetchModel(url: string, integrity: string | undefined): Promise<Uint8Array> {
  const response = await fetch(url, { credentials: "omit", mode: "cors", integrity });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("text/") || type.includes("json") || type.includes("html")) {
    throw new Error(`wrong content type ${type}`);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_MODEL_BYTES) throw new Error(`larger than ${MAX_MODEL_BYTES} bytes`);
  return readCapped(response, MAX_MODEL_BYTES);
}

/** A response's body, failing as soon as it passes `cap` bytes (a missing or lying Content-Length cannot get past). */
async function readCapped(response: Response, cap: number): Promise<Uint8Array> {
  const tooLarge = () => new Error(`larger than ${cap} bytes`);
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    if (buffer.byteLength > cap) throw tooLarge();
    return new Uint8Array(buffer);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      void reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
