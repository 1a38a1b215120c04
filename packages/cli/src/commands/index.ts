/**
 * Every `ksk` subcommand, in the order `ksk --help` lists them. Each module owns one command
 * group; add a new group with one import and one entry here.
 */
import type { CommandFactory } from "./command.js";
import { dsCommand } from "./ds.js";
import { keytagCommand } from "./keytag.js";
import { rrsetCommand } from "./rrset.js";
import { wordsCommand } from "./words.js";

export const COMMANDS: readonly CommandFactory[] = [dsCommand, keytagCommand, rrsetCommand, wordsCommand];
