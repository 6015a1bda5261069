/** The Load page's browser side: upload files one by one with progress, then start and watch their load job. */
import type { Job } from '$lib/server/jobs/queue.js';

/** Sends `file` to `url` as the request body, reporting the bytes sent; resolves with the response's JSON. */
export function putFile(url: string, file: File, onProgress: (sent: number) => void): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('PUT', url);
		// Not a form type, so SvelteKit's cross-site form check does not apply; the server reads the bytes as they are.
		xhr.setRequestHeader('content-type', 'application/octet-stream');
		xhr.upload.onprogress = (e) => onProgress(e.loaded);
		xhr.onload = () => {
			const body = safeJson(xhr.responseText);
			if (xhr.status >= 200 && xhr.status < 300) resolve(body);
			else reject(new Error((body as { message?: string } | null)?.message ?? `${file.name}: HTTP ${xhr.status}`));
		};
		xhr.onerror = () => reject(new Error(`${file.name}: the upload was interrupted`));
		xhr.send(file);
	});
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

/** POSTs and returns the JSON, or throws the server's message. */
export async function postJson<T>(url: string): Promise<T> {
	const res = await fetch(url, { method: 'POST' });
	const body = await res.json().catch(() => null);
	if (!res.ok) throw new Error(body?.message ?? `HTTP ${res.status}`);
	return body as T;
}

/** Polls a job until it ends, reporting each state. */
export async function watchJob(id: number, onUpdate: (job: Job) => void): Promise<Job> {
	for (;;) {
		const res = await fetch(`/api/jobs/${id}`);
		const job = (await res.json()) as Job;
		onUpdate(job);
		if (job.state !== 'queued' && job.state !== 'running') return job;
		await new Promise((r) => setTimeout(r, 500));
	}
}
