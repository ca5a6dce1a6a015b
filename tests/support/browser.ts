// Real Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core (no browser download).
import { execSync } from "node:child_process";
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const INSTALL_COMMAND = "apt-get update && apt-get install -y chromium";

/** Installs Chromium when it is missing and we are root; otherwise fails with the exact command to run. */
export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}. Install it with: sudo ${INSTALL_COMMAND}`);
  execSync(INSTALL_COMMAND, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Installing Chromium did not produce ${CHROMIUM_PATH}. Run: ${INSTALL_COMMAND}`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // The background-networking flags keep Chromium from flooding a closed network with refused connections.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
