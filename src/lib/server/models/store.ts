import fs from 'node:fs';
import path from 'node:path';

/** Where model versions live: `ADOPTION_MODELS`, else `models` (relative to the working directory). */
export function modelsRoot(): string {
	return process.env.ADOPTION_MODELS || 'models';
}

/** The files of one model version. `model` is the artifact (e.g. a classifier's), written as weights.json. */
export interface ModelFiles {
	model: unknown;
	features: string[];
	scaling?: unknown;
	metadata: Record<string, unknown>;
	evaluation: unknown;
}

/** A loaded model version; `scaling` is null when none was saved. */
export interface LoadedModel {
	version: string;
	dir: string;
	model: unknown;
	features: string[];
	scaling: unknown;
	metadata: Record<string, unknown>;
	evaluation: unknown;
}

const FILES = { model: 'weights.json', features: 'features.json', scaling: 'scaling.json', metadata: 'metadata.json', evaluation: 'evaluation.json' };

/** `YYYYMMDD-HHMMSS` in UTC. */
function timestamp(now: Date): string {
	return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function writeJson(file: string, value: unknown): void {
	fs.writeFileSync(file, JSON.stringify(value, null, '\t') + '\n');
}

/**
 * Saves a model version as models/<name>/<version>/{weights,features,scaling,metadata,evaluation}.json and
 * then points models/<name>/LATEST at it. The version is the UTC time `YYYYMMDD-HHMMSS`, with `-2`, `-3`, …
 * when that folder exists (created exclusively, so two saves in the same second never share a folder).
 * LATEST is replaced by rename, so a reader never sees a half-written pointer or a version without files.
 */
export function saveModel(name: string, files: ModelFiles, root = modelsRoot()): { version: string; dir: string } {
	const base = path.join(root, name);
	fs.mkdirSync(base, { recursive: true });
	const stamp = timestamp(new Date());
	let version = stamp;
	for (let k = 2; ; k++) {
		try {
			fs.mkdirSync(path.join(base, version));
			break;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
			version = `${stamp}-${k}`;
		}
	}
	const dir = path.join(base, version);
	writeJson(path.join(dir, FILES.model), files.model);
	writeJson(path.join(dir, FILES.features), files.features);
	if (files.scaling !== undefined) writeJson(path.join(dir, FILES.scaling), files.scaling);
	writeJson(path.join(dir, FILES.metadata), files.metadata);
	writeJson(path.join(dir, FILES.evaluation), files.evaluation);
	const tmp = path.join(base, `.LATEST.${process.pid}`);
	fs.writeFileSync(tmp, version + '\n');
	fs.renameSync(tmp, path.join(base, 'LATEST'));
	return { version, dir };
}

/** Whether a model has a current version (models/<name>/LATEST names a saved one). */
export function hasModel(name: string, root = modelsRoot()): boolean {
	const pointer = path.join(root, name, 'LATEST');
	return fs.existsSync(pointer) && fs.existsSync(path.join(root, name, fs.readFileSync(pointer, 'utf8').trim(), FILES.model));
}

/**
 * Loads a model version (`latest` follows models/<name>/LATEST). Fails with a message naming the folder
 * when there is no model, or the version asked for does not exist.
 */
export function loadModel(name: string, version = 'latest', root = modelsRoot()): LoadedModel {
	const base = path.join(root, name);
	let resolved = version;
	if (version === 'latest') {
		const pointer = path.join(base, 'LATEST');
		if (!fs.existsSync(pointer)) throw new Error(`no ${name} model in ${base}: run \`adoption train\` first`);
		resolved = fs.readFileSync(pointer, 'utf8').trim();
	}
	const dir = path.join(base, resolved);
	if (!fs.existsSync(path.join(dir, FILES.model))) {
		throw new Error(version === 'latest' ? `${path.join(base, 'LATEST')} names version ${resolved}, but ${dir} holds no model` : `no ${name} model version ${resolved} in ${base}`);
	}
	const read = (file: string) => {
		const full = path.join(dir, file);
		try {
			return JSON.parse(fs.readFileSync(full, 'utf8'));
		} catch (err) {
			throw new Error(`cannot read ${full}: ${(err as Error).message}`, { cause: err });
		}
	};
	return {
		version: resolved,
		dir,
		model: read(FILES.model),
		features: read(FILES.features),
		scaling: fs.existsSync(path.join(dir, FILES.scaling)) ? read(FILES.scaling) : null,
		metadata: read(FILES.metadata),
		evaluation: read(FILES.evaluation)
	};
}
