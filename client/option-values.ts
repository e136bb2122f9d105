import { InvalidArgumentError } from 'commander';
import { hostPortProblem } from '../core/host-port';
import { RUN_STATUSES, runStatusNamed, type RunStatus } from '../core/run-types';
import { SAFE_NAME } from '../core/names';

// Commander argParsers for numeric options: commander prints `option '--head <n>' argument 'abc' is
// invalid. Expected …` and the CLI exits 2 (bad input), before the action runs. Commander passes an
// option's default through unparsed, so each option gives its default as a number.

/** A parser from option text to a number; throws commander's InvalidArgumentError when it does not fit. */
export type NumberOption = (text: string) => number;

/** The text as a finite decimal number (`Number('')` and `Number(' ')` are 0, so blanks are refused). */
function finite(text: string, expected: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`Expected ${expected}.`);
  return value;
}

function integer(text: string, expected: string): number {
  const value = finite(text, expected);
  if (!Number.isInteger(value)) throw new InvalidArgumentError(`Expected ${expected}.`);
  return value;
}

/** 1, 2, 3…: counts such as `--limit`, `--min-rows`, `--concurrency`. */
export const positiveInteger: NumberOption = (text) => {
  const value = integer(text, 'a positive integer');
  if (value < 1) throw new InvalidArgumentError('Expected a positive integer.');
  return value;
};

/** 0, 1, 2…: sizes where none is meaningful, such as `--head 0` (the schema only). */
export const nonNegativeInteger: NumberOption = (text) => {
  const value = integer(text, 'an integer of 0 or more');
  if (value < 0) throw new InvalidArgumentError('Expected an integer of 0 or more.');
  return value;
};

/** A number above 0, fractions allowed: thresholds such as `--psi 0.2`. */
export const positiveNumber: NumberOption = (text) => {
  const value = finite(text, 'a number above 0');
  if (value <= 0) throw new InvalidArgumentError('Expected a number above 0.');
  return value;
};

/** A port to listen on: 0 (any free port) to 65535. */
export const listenPort: NumberOption = (text) => {
  const value = integer(text, 'a port from 0 to 65535');
  if (value > 65535 || value < 0) throw new InvalidArgumentError('Expected a port from 0 to 65535.');
  return value;
};

/** A fixed TCP port, 1 to 65535 (`--metrics-port`). */
export const tcpPort: NumberOption = (text) => {
  const value = integer(text, 'a TCP port from 1 to 65535');
  if (value > 65535 || value < 1) throw new InvalidArgumentError('Expected a TCP port from 1 to 65535.');
  return value;
};

/** An alias name (`--alias` of `models promote`): letters, digits, `-` or `_`, as the spec's deploy.alias. */
export function aliasName(text: string): string {
  if (!SAFE_NAME.test(text))
    throw new InvalidArgumentError('Expected letters, digits, - or _ (starting with a letter or digit).');
  return text;
}

/**
 * A run status (`runs ls --status`) as the server spells it, from any spelling {@link runStatusNamed}
 * reads (`cancelled`, `timed-out`, any case); anything else is refused listing the statuses.
 */
export function runStatus(text: string): RunStatus {
  const status = runStatusNamed(text);
  if (!status) throw new InvalidArgumentError(`Expected one of ${RUN_STATUSES.join(', ')}.`);
  return status;
}

/** A Temporal namespace (`--namespace`): any name but a blank one, trimmed. */
export function namespaceName(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('Expected a namespace name.');
  return text.trim();
}

/** A Temporal frontend as `host:port` (`--address`), checked by {@link hostPortProblem}; trimmed. */
export function hostPort(text: string): string {
  const problem = hostPortProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text.trim();
}

/**
 * What a commander usage error names, for `--json`'s `field`: the option (`--head` from `option '-n,
 * --head <n>' argument 'abc' is invalid…`, `--alias` from `required option '--alias <name>' not
 * specified` or `option '--alias <name>' argument missing`, `--bogus` from `unknown option '--bogus'`),
 * or the missing argument as usage writes it (`MODEL` from `missing required argument 'model'`); null
 * for errors that name neither (too many arguments, an unknown command).
 */
export function usageFieldOf(message: string): string | null {
  const option =
    /option '([^']+)' (?:argument|not specified)/.exec(message)?.[1] ??
    /unknown option '([^']+)'/.exec(message)?.[1];
  if (option) return /--[\w-]+/.exec(option)?.[0] ?? option.split(/[ ,]/)[0];
  const argument = /missing required argument '([^']+)'/.exec(message)?.[1];
  return argument ? argument.toUpperCase() : null;
}
