import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Classifier, trainClassifier } from '../../src/lib/server/models/core/classifier.js';
import { hasModel, loadModel, modelsRoot, saveModel } from '../../src/lib/server/models/store.js';
import { tempDir } from '../helpers.js';
import { planted } from './planted.js';

afterEach(() => {
	vi.useRealTimers();
	vi.unstubAllEnvs();
});

const files = (model: unknown) => ({ model, features: ['a'], metadata: { trained_at: 'now' }, evaluation: { auc: 0.8 } });

describe('model store', () => {
	it('save → load gives a classifier with identical predictions', async () => {
		const root = tempDir('adoption-models-');
		const data = planted(1500, 11);
		const model = await trainClassifier(data.X, data.y, data.features, { seed: 3, maxEpochs: 5 });
		const saved = saveModel('churn', { model: model.artifact, features: data.features, scaling: model.artifact.scaling, metadata: { rows: 1500 }, evaluation: { auc: 0.8 } }, root);
		expect(saved.dir).toBe(path.join(root, 'churn', saved.version));
		expect(fs.readdirSync(saved.dir).sort()).toEqual(['evaluation.json', 'features.json', 'metadata.json', 'scaling.json', 'weights.json']);
		expect(fs.readFileSync(path.join(root, 'churn', 'LATEST'), 'utf8').trim()).toBe(saved.version);
		const loaded = loadModel('churn', 'latest', root);
		expect(loaded).toMatchObject({ version: saved.version, dir: saved.dir, features: data.features, metadata: { rows: 1500 }, evaluation: { auc: 0.8 } });
		expect(loaded.scaling).toEqual(model.artifact.scaling);
		const again = new Classifier(loaded.model as Classifier['artifact']);
		expect(again.predict(data.X)).toEqual(model.predict(data.X));
		expect(again.contributions(data.X.slice(0, 20))).toEqual(model.contributions(data.X.slice(0, 20)));
	});

	it('versions are the UTC time, suffixed -2, -3 within the same second; LATEST follows the newest', () => {
		const root = tempDir('adoption-models-');
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-03-04T05:06:07.890Z'));
		expect(saveModel('csat', files(1), root).version).toBe('20260304-050607');
		expect(saveModel('csat', files(2), root).version).toBe('20260304-050607-2');
		expect(saveModel('csat', files(3), root).version).toBe('20260304-050607-3');
		expect(loadModel('csat', 'latest', root)).toMatchObject({ version: '20260304-050607-3', model: 3, scaling: null });
		expect(loadModel('csat', '20260304-050607', root).model).toBe(1);
	});

	it('says which folder has no model, and what to run', () => {
		const root = tempDir('adoption-models-');
		expect(() => loadModel('churn', 'latest', root)).toThrow(`no churn model in ${path.join(root, 'churn')}: run \`adoption train\` first`);
		expect(hasModel('churn', root)).toBe(false);
		saveModel('churn', files(1), root);
		expect(hasModel('churn', root)).toBe(true);
		expect(() => loadModel('churn', '19990101-000000', root)).toThrow(`no churn model version 19990101-000000 in ${path.join(root, 'churn')}`);
	});

	it('defaults to ADOPTION_MODELS, else models/', () => {
		vi.stubEnv('ADOPTION_MODELS', '');
		expect(modelsRoot()).toBe('models');
		const root = tempDir('adoption-models-');
		vi.stubEnv('ADOPTION_MODELS', root);
		expect(modelsRoot()).toBe(root);
		const { dir } = saveModel('ces', files(7));
		expect(dir.startsWith(root)).toBe(true);
		expect(loadModel('ces').model).toBe(7);
	});
});
