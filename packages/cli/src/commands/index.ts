/**
 * Every `ksk` subcommand, in the order `ksk --help` lists them. Each module owns one command
 * group; add a new group with one import and one entry here.
 */
import { anchorsCommand } from "./anchors.js";
import { caCommand } from "./ca.js";
import type { CommandFactory } from "./command.js";
import { csrCommand } from "./csr.js";
import { dsCommand } from "./ds.js";
import { hsmCommand } from "./hsm.js";
import { keyCommand } from "./key.js";
import { keytagCommand } from "./keytag.js";
import { ksrCommand } from "./ksr.js";
import { resolverCommand } from "./resolver.js";
import { rrsetCommand } from "./rrset.js";
import { skrCommand } from "./skr.js";
import { wordsCommand } from "./words.js";
import { zoneCommand } from "./zone.js";

export const COMMANDS: readonly CommandFactory[] = [
  anchorsCommand,
  caCommand,
  csrCommand,
  dsCommand,
  hsmCommand,
  keyCommand,
  keytagCommand,
  ksrCommand,
  resolverCommand,
  rrsetCommand,
  skrCommand,
  wordsCommand,
  zoneCommand,
];
