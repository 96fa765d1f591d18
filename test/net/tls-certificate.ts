/**
 * Throwaway TLS certificates for the tests, made at test time with the
 * system's openssl (never committed): a self-signed ECDSA P-256
 * certificate for `localhost`, 127.0.0.1 and ::1, valid one day. The
 * files live in a temporary directory removed at process exit.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM of the certificate (also what a client trusts as its CA). */
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

const made: string[] = [];
process.once("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh self-signed certificate and key for `commonName` (default localhost). */
export function makeCertificate(commonName = "localhost"): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "boucle-tls-"));
  made.push(dir);
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", `/CN=${commonName}`, "-addext", `subjectAltName=DNS:${commonName},IP:127.0.0.1,IP:::1`,
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
}
