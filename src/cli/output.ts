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

/** A failure the user should see as one line on stderr, with a non-zero exit code. */
export class CliError extends Error {
	constructor(
		message: string,
		readonly exitCode = 1
	) {
		super(message);
	}
}
