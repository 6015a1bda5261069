import fs from 'node:fs';
import path from 'node:path';
import { writeParquet } from '../../export/parquet.js';
import { Classifier, type ClassifierArtifact } from '../core/classifier.js';
import { rocAuc } from '../evaluate.js';
import { riskBand } from '../health.js';
import { hasModel, loadModel, modelsRoot } from '../store.js';
import { looksLikeIdName } from './columns.js';
import { encoderFor } from './encode.js';
import { parseLabel } from './label.js';
import { readTextTable, type TextTable } from './read.js';
import type { FeatureModelMetadata } from './train-file.js';
import { isMissing } from './values.js';

/** Options of {@link scoreFeatureFile}. */
export interface ScoreFileOptions {
	/** A CSV (with a header) or Parquet file, one row per account, holding the columns the model uses. */
	file: string;
	/** A model saved by `adoption train --features`: `features-NAME`. */
	model: string;
	/** Default: the latest. */
	version?: string;
	/** Models folder (default `models/`, or `ADOPTION_MODELS`). */
	root?: string;
	/** Where to write every row's score: a `.csv` (with a header) or `.parquet` file. */
	out?: string;
	/** How many of the riskiest rows the report lists (default 10). */
	top?: number;
}

/** One row's score. */
export interface ScoredRow {
	/** From the id column, else the row number (1-based). */
	id: string;
	/** Calibrated churn probability. */
	probability: number;
	/** 100 × the share of the model's reference (held-out) probabilities at or below this one, to a tenth. */
	percentile: number;
	band: 'high' | 'medium' | 'low';
	/** Up to three columns raising this row's risk most, strongest first, as "column: value" with the file's value. */
	drivers: string[];
}

/** Cells of a column the model uses that were replaced by the training median: blank, or not readable as its kind. */
export interface ImputedColumn {
	column: string;
	blank: number;
	/** Text in a numeric column, or a value other than yes/no, true/false, 1/0, … in a boolean one. */
	unparsable: number;
	/** The first unparsable cell: its data row (1-based) and text. */
	first_unparsable?: { row: number; value: string };
}

/** What `adoption score --features` reports. */
export interface ScoreFileReport {
	file: string;
	model: string;
	version: string;
	scored: number;
	bands: { high: number; medium: number; low: number };
	/** The column the ids come from, or null when they are row numbers. */
	id_column: string | null;
	/** Columns of the file the model does not use (the label, the id, others), in file order. */
	ignored: string[];
	imputed: ImputedColumn[];
	/** ROC AUC of the scores against the model's label column, when the file has it with both values. */
	auc?: number;
	out?: string;
	/** The riskiest rows, by probability. */
	top: ScoredRow[];
}

/** Rows explained per call: contributions hold rows × features numbers at once. */
const CHUNK = 10_000;
const MAX_DRIVERS = 3;
const HEADER = ['id', 'probability', 'percentile', 'band', 'drivers'];

/** The output format from the file name's extension; fails on any other. */
function outFormat(out: string): 'csv' | 'parquet' {
	const ext = path.extname(out).toLowerCase();
	if (ext === '.csv' || ext === '.parquet') return ext.slice(1) as 'csv' | 'parquet';
	throw new Error(`cannot write scores to ${out}: the file name must end in .csv or .parquet`);
}

/** The saved model and its metadata; fails with what to do when there is none, or it predates scoring. */
function loadFeatureModel(name: string, version: string, root: string) {
	if (!name.startsWith('features-')) {
		throw new Error(`model ${name} was not trained on a feature file: those are named features-NAME (see \`adoption train --features\`)`);
	}
	if (version === 'latest' && !hasModel(name, root)) {
		const there = fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith('features-') && hasModel(n, root)) : [];
		throw new Error(
			`no model ${name} in ${root}: train it with \`adoption train --features FILE --label COLUMN\`${there.length ? ` (models there: ${there.join(', ')})` : ''}`
		);
	}
	const saved = loadModel(name, version, root);
	const metadata = saved.metadata as Partial<FeatureModelMetadata>;
	if (!metadata.encoding || !metadata.reference) {
		throw new Error(
			`model ${name} version ${saved.version} (${saved.dir}) cannot score new rows: it was saved before scoring existed, without its encoding; retrain it with \`adoption train --features FILE --label COLUMN\``
		);
	}
	return { version: saved.version, metadata: metadata as FeatureModelMetadata, classifier: new Classifier(saved.model as ClassifierArtifact) };
}

/** 100 × the share of `reference` (sorted) at or below `p`, to a tenth. */
function percentileOf(reference: number[], p: number): number {
	let lo = 0, hi = reference.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (reference[mid] <= p) lo = mid + 1;
		else hi = mid;
	}
	return Math.round((1000 * lo) / reference.length) / 10;
}

/** ROC AUC of `p` against the table's `column`, when present with two values parseLabel reads (so both classes); else undefined. */
function labelAuc(table: TextTable, column: string, p: Float64Array): number | undefined {
	const index = table.columns.indexOf(column);
	if (index < 0) return undefined;
	let y: (0 | 1 | null)[];
	try {
		y = parseLabel(table.values[index], column, table.file).y;
	} catch {
		// A label column the scores cannot be checked against (one value only, say) leaves them valid, just unchecked.
		return undefined;
	}
	const rows = y.flatMap((v, r) => (v === null ? [] : [r]));
	return rocAuc(
		rows.map((r) => y[r]!),
		rows.map((r) => p[r])
	);
}

/** A CSV field: quoted when it holds a comma, quote or line break, or is empty (so it reads back as '' rather than null). */
function csvField(v: string | number): string {
	const s = String(v);
	return s === '' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes the scores as CSV with a header, in batches (a file may have millions of rows). */
function writeCsv(file: string, rows: ScoredRow[]): void {
	const fd = fs.openSync(file, 'w');
	try {
		fs.writeSync(fd, HEADER.join(',') + '\n');
		for (let s = 0; s < rows.length; s += CHUNK) {
			const lines = rows.slice(s, s + CHUNK).map((r) => [r.id, r.probability, r.percentile, r.band, r.drivers.join('; ')].map(csvField).join(',') + '\n');
			fs.writeSync(fd, lines.join(''));
		}
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Scores every row of a feature file with a model `adoption train --features` saved: reads the file
 * (readTextTable), encodes its rows by column name with the model's saved encoding (training medians for
 * blanks and unparsable cells, numerics clipped to the training range, unseen levels as `other`), and gives
 * each row its churn probability, its percentile among the model's cross-validated held-out probabilities,
 * the band of that percentile (riskBand) and its top drivers: the columns whose summed contributions raise
 * the risk most. Columns the model does not use are ignored; ids come from the model's `--id` column, else
 * the first identifier-like column, else the row number. When the file has the label column, the report
 * also has the scores' AUC against it. With `out`, writes every row (CSV or Parquet by extension). Errors
 * name the file and the columns.
 */
export async function scoreFeatureFile(opts: ScoreFileOptions): Promise<ScoreFileReport> {
	// Checked before any work, so a wrong name fails at once.
	const target = opts.out === undefined ? undefined : { file: opts.out, format: outFormat(opts.out) };
	if (target && path.resolve(target.file) === path.resolve(opts.file)) throw new Error(`cannot write scores to ${target.file}: it is the feature file itself`);
	const { version, metadata, classifier } = loadFeatureModel(opts.model, opts.version ?? 'latest', opts.root ?? modelsRoot());
	const table = await readTextTable(opts.file);
	const encoder = encoderFor(metadata.encoding, table);
	if (encoder.features.join('\n') !== classifier.artifact.features.join('\n')) {
		throw new Error(`model ${opts.model} version ${version} is inconsistent: its encoding and its classifier name different features`);
	}
	const rows = [...Array(table.rows).keys()];
	const { X, imputed, unparsable } = encoder.transform(rows);
	const p = classifier.predict(X);

	const used = metadata.encoding.map((e) => e.column);
	const idColumn = metadata.id !== null && table.columns.includes(metadata.id) ? metadata.id : (table.columns.find(looksLikeIdName) ?? null);
	const ids = idColumn === null ? null : table.values[table.columns.indexOf(idColumn)];
	const raw = used.map((c) => table.values[table.columns.indexOf(c)]);
	const columnOf = encoder.sources.map((s) => used.indexOf(s));
	const sums = new Float64Array(used.length);
	/** The row's columns with the largest positive summed contributions (one-hot levels together), as "column: value". */
	const driversOf = (phi: ArrayLike<number>, r: number): string[] => {
		sums.fill(0);
		for (let j = 0; j < phi.length; j++) sums[columnOf[j]] += phi[j];
		return [...sums.keys()]
			.filter((c) => sums[c] > 0)
			.sort((a, b) => sums[b] - sums[a])
			.slice(0, MAX_DRIVERS)
			.map((c) => `${used[c]}: ${isMissing(raw[c][r]) ? '(missing)' : raw[c][r]!.trim()}`);
	};
	const percentiles = Float64Array.from(p, (v) => percentileOf(metadata.reference, v));
	const bands = { high: 0, medium: 0, low: 0 };
	for (const q of percentiles) bands[riskBand(q / 100)]++;
	/** Scores of `subset`, with drivers from the model's contributions, computed a chunk at a time. */
	const scoreRows = (subset: number[]): ScoredRow[] => {
		const out: ScoredRow[] = [];
		for (let s = 0; s < subset.length; s += CHUNK) {
			const part = subset.slice(s, s + CHUNK);
			classifier.contributions(part.map((r) => X[r])).forEach((phi, i) => {
				const r = part[i];
				const id = ids === null ? String(r + 1) : (ids[r] ?? '');
				out.push({ id, probability: p[r], percentile: percentiles[r], band: riskBand(percentiles[r] / 100), drivers: driversOf(phi, r) });
			});
		}
		return out;
	};

	const riskiest = [...rows].sort((a, b) => p[b] - p[a] || a - b).slice(0, opts.top ?? 10);
	let top: ScoredRow[];
	if (target) {
		const scored = scoreRows(rows);
		if (target.format === 'csv') writeCsv(target.file, scored);
		else
			await writeParquet(
				target.file,
				HEADER.map((name) => ({ name, type: name === 'probability' || name === 'percentile' ? 'DOUBLE' : 'VARCHAR' })),
				scored.map((r) => [r.id, r.probability, r.percentile, r.band, r.drivers.join('; ')])
			);
		top = riskiest.map((r) => scored[r]);
	} else {
		// Drivers cost a contribution per feature and row: without a file to write, only the rows shown need them.
		top = scoreRows(riskiest);
	}
	const auc = labelAuc(table, metadata.label, p);
	return {
		file: opts.file,
		model: opts.model,
		version,
		scored: table.rows,
		bands,
		id_column: idColumn,
		ignored: table.columns.filter((c) => !used.includes(c)),
		imputed: used.flatMap((column) => {
			const blank = imputed.get(column) ?? 0;
			const bad = unparsable.get(column);
			if (!blank && !bad) return [];
			return [{ column, blank, unparsable: bad?.count ?? 0, ...(bad && { first_unparsable: { row: bad.first.row + 1, value: bad.first.value } }) }];
		}),
		...(auc !== undefined && { auc }),
		...(target && { out: target.file }),
		top
	};
}
