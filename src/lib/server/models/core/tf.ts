import { createRequire } from 'node:module';
import path from 'node:path';

type Tf = typeof import('@tensorflow/tfjs');

let ready: Promise<Tf> | undefined;

/**
 * TensorFlow.js on the WebAssembly backend, initialised once per process (later calls share the promise).
 * tfjs is imported lazily, so code that only scores (plain JS over a saved artifact) never loads it.
 * The wasm binaries are located through the module resolver rather than the working directory, so this
 * works the same from tsx, vitest and a built app. Falls back to the (slower) pure-JS 'cpu' backend when
 * wasm cannot start. Production mode is on: it silences tfjs's console advice ("install tfjs-node").
 */
export function tfReady(): Promise<Tf> {
	ready ??= init();
	return ready;
}

async function init(): Promise<Tf> {
	const tf = await import('@tensorflow/tfjs');
	const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
	tf.enableProdMode();
	const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
	setWasmPaths(path.dirname(entry) + path.sep);
	let ok: boolean;
	try {
		ok = await tf.setBackend('wasm');
	} catch {
		ok = false;
	}
	if (!ok && !(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: neither the wasm nor the cpu backend started');
	return tf;
}
