/** File URLs and absolute paths under the working directory, written relative to it, as people read them. */
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** `file:///work/app/src/x.ts` (or `/work/app/src/x.ts`) to `src/x.ts` when the working directory is /work/app. */
export function shortPath(urlOrPath: string): string {
  let path = urlOrPath;
  if (urlOrPath.startsWith("file:")) {
    try {
      path = fileURLToPath(urlOrPath);
    } catch {
      return urlOrPath;
    }
  }
  if (!path.startsWith(sep)) return urlOrPath;
  const fromCwd = relative(process.cwd(), path);
  return fromCwd.startsWith("..") ? path : fromCwd;
}

/** Every file URL or absolute path in a stack frame's text, shortened by {@link shortPath}. */
export function shortenFileUrls(frame: string): string {
  return frame.replace(/(file:\/\/[^\s():]+|\/[^\s():]+)/g, (match) => shortPath(match));
}
