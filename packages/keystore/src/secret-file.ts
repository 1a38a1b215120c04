/**
 * Reading a secret (user PIN, SO PIN, passphrase) from a file. A secret file is a small regular
 * file: a FIFO would block forever (and a blocked read ignores Ctrl-C), a device such as
 * /dev/zero never ends, and a large file is not a PIN. So the file is opened without blocking,
 * what was opened (through any symbolic link) must be a regular file of at most
 * SECRET_FILE_MAX_BYTES, and no more than that is read.
 */
import { constants, promises as fs } from "node:fs";
import { KskError } from "@ksk/core";

/** The largest secret file accepted: far above any PIN or passphrase, far below harm. */
export const SECRET_FILE_MAX_BYTES = 4096;

/** The text of a secret file, refusing anything that is not a regular file of at most the cap. */
export async function readSecretFileText(file: string): Promise<string> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KskError("keystore", "SECRET-FILE", `${file} is not a regular file (a FIFO or a device is not a secret file)`);
    if (stat.size > SECRET_FILE_MAX_BYTES) {
      throw new KskError("keystore", "SECRET-FILE", `${file} is ${stat.size} bytes; a secret file holds at most ${SECRET_FILE_MAX_BYTES}`);
    }
    const buffer = Buffer.alloc(SECRET_FILE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > SECRET_FILE_MAX_BYTES) throw new KskError("keystore", "SECRET-FILE", `${file} grew past ${SECRET_FILE_MAX_BYTES} bytes while read`);
    return new TextDecoder("utf-8", { fatal: false }).decode(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
