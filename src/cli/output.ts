/** How a command reports: human text on a TTY-friendly stream, or one JSON document with `--json`. */
export interface Output {
	json: boolean;
	/** Human progress and summaries (stderr when `--json`, so stdout stays one JSON document; else stdout). */
	info(line: string): void;
	/** Prints the command's JSON document (only with `--json`). */
	result(doc: unknown): void;
}

export function makeOutput(json: boolean): Output {
	return {
		json,
		info(line) {
			if (!json) process.stdout.write(line + '\n');
		},
		result(doc) {
			if (json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
		}
	};
}

/**
 * A secret piped on stdin (`--password-stdin`, `--token-stdin`), without its final line break; `usage` is the
 * one-line refusal when stdin is a terminal (a secret typed there would echo).
 */
export async function readStdinSecret(usage: string): Promise<string> {
	if (process.stdin.isTTY) throw new CliError(usage, 2);
	let text = '';
	for await (const chunk of process.stdin) text += chunk;
	return text.replace(/\r?\n$/, '');
}

/** A failure the user should see as one line on stderr, with a non-zero exit code. */
export class CliError extends Error {
	constructor(
		message: string,
		readonly exitCode = 1
	) {
		super(message);
	}
}

/** A measure with `digits` decimals, or 'n/a' when undefined (saved evaluations store NaN as null). */
export function fixed(x: number | null, digits: number): string {
	return x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
}

/** A share as a percentage with one decimal (`12.5 %`), or 'n/a'. */
export function percent(x: number | null): string {
	return x === null || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)} %`;
}
