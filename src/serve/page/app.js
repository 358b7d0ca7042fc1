// octet serve's page: plain JavaScript over the JSON API (docs/serve.md).
'use strict';

const $ = (id) => document.getElementById(id);
const POLL_MS = 400;
const COPY_FEEDBACK_MS = 1500;
const state = {
  options: null, modelFile: null, example: null, precision: 'float32',
  calibKind: 'calibration', calibFile: null, job: null, poll: null, codeLang: 'cpp',
};

// ---------------------------------------------------------------- API
const token = (() => {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) sessionStorage.setItem('octet-token', m[1]);
  return sessionStorage.getItem('octet-token') || '';
})();
const authHeaders = () => (token ? { Authorization: `Bearer ${token}` } : {});
const withToken = (url) => (token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url);

async function api(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `${method} ${path}: HTTP ${res.status}`);
  return data;
}

// Streams a file as the raw request body, reporting progress.
function upload(kind, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/uploads?kind=${kind}&name=${encodeURIComponent(file.name)}`);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) resolve(data);
      else reject(new Error(data.error || `upload of ${file.name}: HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error(`upload of ${file.name} failed (connection closed)`));
    xhr.send(file);
  });
}

// ---------------------------------------------------------------- helpers
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
function bytes(n) {
  if (n == null) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
const dB = (v) => (v == null ? '∞' : `${v.toFixed(1)} dB`);
const when = (t) => new Date(t * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const show = (el, on) => el.classList.toggle('hidden', !on);
const PRECISION_LABEL = { float32: 'FP32', float16: 'FP16', int8: 'INT8' };
const STATUS_LABEL = { queued: 'queued', running: 'running', succeeded: 'done', failed: 'failed', cancelled: 'cancelled' };

// The settings that matter, as short chips: precision, calibration method and data, interface types.
function settingsChips(s) {
  const chips = [PRECISION_LABEL[s.precision]];
  if (s.precision === 'int8') {
    chips.push(s.int8.calib_method, `${s.int8.input_type} in · ${s.int8.output_type} out`, s.calibration.name);
    if (s.int8.allow_float_fallback) chips.push('float fallback');
  }
  return chips.map((c) => `<span class="setting">${esc(c)}</span>`).join('');
}

function segmented(el, onChange) {
  el.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    e.preventDefault();
    for (const x of el.querySelectorAll('button')) x.classList.toggle('active', x === b);
    onChange(b.dataset.value);
  });
}

function fillSelect(el, values, def) {
  el.innerHTML = values.map((v) => `<option value="${esc(v)}"${v === def ? ' selected' : ''}>${esc(v)}</option>`).join('');
}

function setError(el, message) {
  el.textContent = message || '';
  show(el, !!message);
}

// ---------------------------------------------------------------- form
function refreshForm() {
  const int8 = state.precision === 'int8';
  show($('int8-options'), int8);
  show($('step-calib'), int8);
  show($('prepare-options'), int8 && state.calibKind === 'images');
  const model = state.modelFile ? `${state.modelFile.name} · ${bytes(state.modelFile.size)} (upload)`
    : state.example ? `${state.example} (free model)` : '';
  $('model-chosen').textContent = model;
  show($('model-chosen'), !!model);
  $('calib-chosen').textContent = state.calibFile ? `${state.calibFile.name} · ${bytes(state.calibFile.size)}` : '';
  show($('calib-chosen'), !!state.calibFile);
  $('convert').disabled = !(state.modelFile || state.example) || (int8 && !state.calibFile) ||
    (state.job && !['succeeded', 'failed', 'cancelled'].includes(state.job.status));
  const limits = state.options ? state.options.limits : null;
  if (limits) {
    $('model-limit').textContent = `up to ${bytes(limits.model_bytes)}`;
    $('calib-limit').textContent = `up to ${bytes(state.calibKind === 'images' ? limits.images_bytes : limits.calibration_bytes)}`;
  }
  $('calib-file').accept = state.calibKind === 'images' ? '.zip,.tar,.tar.gz,.tgz,.tar.bz2,.tar.xz' : '.npy';
  $('calib-drop-text').innerHTML = state.calibKind === 'images'
    ? 'Drop a <b>.zip</b> or <b>.tar</b> of images; the server prepares the array like <code>octet prepare</code>'
    : 'Drop the calibration <b>.npy</b> (as <code>octet prepare</code> writes it)';
}

function triplet(text, what) {
  if (!text.trim()) return undefined;
  const v = text.split(',').map(Number);
  if (v.length === 1) return [v[0], v[0], v[0]];
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`${what}: expected three numbers like 0.485,0.456,0.406`);
  return v;
}

function jobRequest(modelUpload, calibUpload) {
  const body = {
    model: modelUpload ? { upload: modelUpload } : { example: state.example },
    framework: $('framework').value, device: $('device').value, precision: state.precision,
  };
  if (state.precision !== 'int8') return body;
  body.int8 = {
    calib_method: $('calib-method').value, input_type: $('input-type').value, output_type: $('output-type').value,
    calib_samples: Number($('calib-samples').value) || 0, per_tensor: $('per-tensor').checked,
    per_channel_fc: $('per-channel-fc').checked, allow_float_fallback: $('float-fallback').checked,
  };
  body.calibration = { upload: calibUpload };
  if (state.calibKind === 'images') {
    const p = {
      width: Number($('prep-width').value), height: Number($('prep-height').value), resize: $('prep-resize').value,
      color: $('prep-color').value, layout: $('prep-layout').value, normalize: $('prep-normalize').checked,
    };
    if ($('prep-limit').value) p.limit = Number($('prep-limit').value);
    const mean = triplet($('prep-mean').value, 'Mean');
    const std = triplet($('prep-std').value, 'Std');
    if (mean) p.mean = mean;
    if (std) p.std = std;
    body.calibration.prepare = p;
  }
  return body;
}

function checkSize(file, limit, what) {
  if (limit && file.size > limit) throw new Error(`${what} '${file.name}' is ${bytes(file.size)}, over the limit of ${bytes(limit)}`);
}

async function convert() {
  setError($('form-error'), '');
  $('convert').disabled = true;
  show($('progress'), true);
  try {
    const limits = state.options.limits;
    let modelUpload = null;
    let calibUpload = null;
    if (state.modelFile) {
      checkSize(state.modelFile, limits.model_bytes, 'model');
      modelUpload = (await upload('model', state.modelFile, (d, t) => setProgress('uploading model', d, t))).id;
    }
    if (state.precision === 'int8') {
      const images = state.calibKind === 'images';
      checkSize(state.calibFile, images ? limits.images_bytes : limits.calibration_bytes, 'calibration');
      calibUpload = (await upload(state.calibKind, state.calibFile, (d, t) => setProgress('uploading calibration data', d, t))).id;
    }
    const job = await api('POST', '/api/jobs', jobRequest(modelUpload, calibUpload));
    follow(job.id);
  } catch (e) {
    setError($('form-error'), e.message);
    show($('progress'), false);
    refreshForm();
  }
}

function setProgress(stage, done, total) {
  $('progress-stage').textContent = stage;
  const counted = total > 0;
  $('progress-count').textContent = counted
    ? (stage.startsWith('uploading') ? `${bytes(done)} / ${bytes(total)}` : `${done} / ${total}`) : '';
  $('progress-fill').style.width = counted ? `${Math.min(100, (100 * done) / total)}%` : '100%';
  $('progress-fill').classList.toggle('indeterminate', !counted);
}

// ---------------------------------------------------------------- following a job
function follow(id) {
  clearTimeout(state.poll);
  state.lastStatus = null;
  const tick = async () => {
    try {
      const job = await api('GET', `/api/jobs/${id}`);
      state.job = job;
      const live = job.status === 'queued' || job.status === 'running';
      show($('progress'), live);
      if (live) {
        if (!state.lastStatus) {  // a job just followed: its progress replaces the previous result
          show($('result'), false);
          $('progress').scrollIntoView({ behavior: 'smooth', block: 'center' });
        }
        if (!state.lastStatus || state.lastStatus !== job.status) loadJobs();
        setProgress(job.stage, job.progress.done, job.progress.total);
        state.poll = setTimeout(tick, POLL_MS);
      } else {
        renderResult(job);
        loadJobs();
        $('result').scrollIntoView({ behavior: 'smooth', block: 'start' });
      }
      state.lastStatus = job.status;
      refreshForm();
    } catch (e) {
      setError($('form-error'), e.message);
    }
  };
  loadJobs();
  tick();
}

function table(head, rows) {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function renderReport(job) {
  const r = job.result.report;
  const parts = [];
  const ops = Object.entries(r.ops || {});
  if (r.op_dtypes) {
    // One row per op type: how many, and in which dtypes they run.
    const dtypes = {};
    for (const o of r.op_dtypes) {
      dtypes[o.type] = dtypes[o.type] || {};
      dtypes[o.type][o.dtype] = (dtypes[o.type][o.dtype] || 0) + 1;
    }
    const runsIn = (type) => Object.entries(dtypes[type] || {}).map(([d, n]) =>
      `<span class="dtype ${d === 'int8' || d === 'uint8' || d === 'int16' ? 'int' : 'float'}">${esc(d)}${n > 1 ? ` ×${n}` : ''}</span>`).join(' ');
    parts.push(`<h3>Operators (${ops.reduce((a, [, n]) => a + n, 0)})</h3>${table(['op', 'count', 'runs in'], ops.map(([k, n]) => [esc(k), n, runsIn(k)]))}`);
  } else {
    parts.push(`<h3>Operators (${ops.reduce((a, [, n]) => a + n, 0)})</h3>${table(['op', 'count'], ops.map(([k, n]) => [esc(k), n]))}`);
  }
  if (r.accuracy) {
    parts.push(`<h3>INT8 vs FP32 on ${r.accuracy.samples} ${r.accuracy.held_out ? 'held-out' : 'calibration'} sample(s)</h3>${
      table(['output', 'SQNR median', 'min', 'max'], r.accuracy.outputs.map((o) => [esc(o.output), dB(o.sqnr_db_median), dB(o.sqnr_db_min), dB(o.sqnr_db_max)]))}`);
  }
  if (r.op_dtypes) {
    const fallbacks = r.op_dtypes.filter((o) => o.fallback);
    parts.push(fallbacks.length
      ? `<h3>Float fallbacks (${fallbacks.length})</h3>${table(['op', 'type', 'why'], fallbacks.map((o) => [esc(o.name), esc(o.type), esc(o.fallback)]))}`
      : '<p class="ok">No float fallbacks: every op runs in integer arithmetic.</p>');
  }
  if ((job.result.notes || []).length) parts.push(`<div class="notes">${job.result.notes.map((n) => `<p>${esc(n)}</p>`).join('')}</div>`);
  const passes = r.passes || [];
  const changed = passes.filter((p) => p.ops_after !== p.ops_before);
  parts.push(`<details class="passes"><summary>Graph passes: ${passes.length} run, ${changed.length} changed the graph${
    passes.length ? ` (${passes[0].ops_before} → ${passes[passes.length - 1].ops_after} ops)` : ''}</summary>${
    table(['pass', 'ops before', 'ops after'], passes.map((p) => [esc(p.pass), p.ops_before, p.ops_after]))}</details>`);
  parts.push(`<p><a href="${withToken(`/api/jobs/${job.id}/report`)}">report.json</a> · the whole report, as <code>octet convert --report</code> writes it</p>`);
  $('tab-report').innerHTML = parts.join('');
}

function renderIo(job) {
  const ins = job.result.inspect;
  const row = (t) => {
    const q = t.quantization_parameters;
    const quant = q ? (q.scales.length === 1 ? `scale ${q.scales[0].toPrecision(6)}, zero point ${q.zero_points[0]}` : `per-channel (${q.scales.length})`) : 'none';
    return [t.index, esc(t.name), `[${t.shape.join(', ')}]`, esc(t.dtype), esc(quant), esc(t.format)];
  };
  const head = ['#', 'name', 'shape', 'dtype', 'quantization', 'layout'];
  $('tab-io').innerHTML = `<h3>Inputs</h3>${table(head, ins.inputs.map(row))}<h3>Outputs</h3>${table(head, ins.outputs.map(row))}
    <p class="muted">${ins.full_integer ? 'Full integer model.' : `${ins.float_tensors} float tensor(s).`} ${ins.operators} operators, TFLite schema ${ins.schema_version}.</p>`;
}

function renderCalib(job) {
  const p = job.result.prepare;
  const c = job.result.report.calibration;
  const parts = [];
  if (p) {
    parts.push(`<p>Prepared <b>${p.saved}</b> image(s) into <code>${esc(p.array)}</code>, shape [${p.shape.join(', ')}], ${bytes(p.bytes)}; ${p.failed} could not be read.</p>`);
    parts.push(p.error_files.length ? `<h3>error_files.txt</h3><pre class="errors">${esc(p.error_files.join('\n'))}</pre>` : '<p class="ok">Every image was read.</p>');
  }
  if (c) {
    parts.push(`<p>Method <b>${esc(c.method)}</b>, ${c.samples} calibration sample(s), ${c.held_out} held out.</p>`);
    parts.push(table(['file', 'input', 'array shape', 'layout'], c.data.map((d) => [esc(d.file), esc(d.input), `[${d.array_shape.join(', ')}]`, esc(d.layout)])));
  }
  $('tab-calib').innerHTML = parts.join('') || '<p class="muted">No calibration: this is a float conversion.</p>';
}

function renderResult(job) {
  show($('result'), true);
  const s = job.settings;
  $('result-title').textContent = `${job.model} → ${PRECISION_LABEL[job.precision]} TFLite`;
  $('result-badge').className = `badge ${job.status}`;
  $('result-badge').textContent = STATUS_LABEL[job.status];
  $('result-settings').innerHTML = settingsChips(s);
  $('result-sub').textContent = `${$('device').selectedOptions[0] ? $('device').selectedOptions[0].text : s.device} · ${when(job.created)}`;
  const ok = job.status === 'succeeded';
  setError($('result-error'), ok ? '' : job.error);
  show($('download'), ok);
  show($('result-tabs'), ok);
  for (const t of document.querySelectorAll('#result .tab')) show(t, false);
  $('result-stats').innerHTML = '';
  show($('result-stats'), ok);
  if (!ok) return;
  const r = job.result;
  $('download').href = withToken(`/api/jobs/${job.id}/model`);
  $('download').textContent = `Download ${r.artifact.file}`;
  const stats = [[bytes(r.artifact.bytes), 'model size'], [Object.values(r.report.ops).reduce((a, n) => a + n, 0), 'operators'],
    [`${r.report.seconds.toFixed(2)} s`, 'conversion']];
  if (r.report.accuracy) stats.push([dB(r.report.accuracy.outputs[0].sqnr_db_median), 'SQNR (median)']);
  $('result-stats').innerHTML = stats.map(([v, k]) => `<div class="stat"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('');
  renderReport(job);
  renderIo(job);
  renderCalib(job);
  $('code').textContent = r.snippets[state.codeLang];
  selectTab('report');
}

function selectTab(name) {
  for (const b of document.querySelectorAll('#result-tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const t of document.querySelectorAll('#result .tab')) show(t, t.id === `tab-${name}`);
}

// ---------------------------------------------------------------- jobs list
async function loadJobs() {
  loadUploads();
  try {
    const { jobs } = await api('GET', '/api/jobs');
    $('jobs').innerHTML = jobs.length ? jobs.map((j) => `
      <div class="job" data-id="${j.id}">
        <div class="job-top"><span class="badge ${j.status}">${STATUS_LABEL[j.status]}</span><b class="job-model" title="${esc(j.model)}">${esc(j.model)}</b></div>
        <div class="settings-line small">${settingsChips(j.settings)}</div>
        <div class="muted small">${when(j.created)}${j.summary ? ` · ${bytes(j.summary.bytes)}` : ''}${
          j.summary && j.summary.sqnr_db_median ? ` · SQNR ${dB(j.summary.sqnr_db_median[0])}` : ''}${
          ['queued', 'running'].includes(j.status) ? ` · ${esc(j.stage)}` : ''}</div>
        ${j.status === 'failed' ? `<div class="small error-text">${esc(j.error)}</div>` : ''}
        <div class="job-actions">
          <button class="ghost small" data-act="open">Open</button>
          ${['queued', 'running'].includes(j.status) ? '<button class="ghost small" data-act="cancel">Cancel</button>'
            : '<button class="ghost small danger" data-act="delete">Delete</button>'}
        </div>
      </div>`).join('') : '<span class="muted">no conversions yet</span>';
  } catch (e) {
    $('jobs').innerHTML = `<span class="error-text">${esc(e.message)}</span>`;
  }
}

const KIND_LABEL = { model: 'model', calibration: '.npy', images: 'images' };

async function loadUploads() {
  try {
    const { uploads } = await api('GET', '/api/uploads');
    $('uploads').innerHTML = uploads.length ? uploads.map((u) => {
      const busy = u.active_jobs.length > 0;
      return `
      <div class="upload" data-id="${u.id}">
        <span class="kind ${esc(u.kind)}">${esc(KIND_LABEL[u.kind] || u.kind)}</span>
        <span class="upload-name" title="${esc(u.name)}">${esc(u.name)}</span>
        <span class="muted small">${bytes(u.bytes)}</span>
        <button class="ghost small danger" data-act="delete-upload"${busy ? ' disabled title="in use by a queued or running job"' : ''}>Delete</button>
      </div>`;
    }).join('') : '<span class="muted">nothing uploaded</span>';
  } catch (e) {
    $('uploads').innerHTML = `<span class="error-text">${esc(e.message)}</span>`;
  }
}

$('uploads').addEventListener('click', async (e) => {
  const b = e.target.closest('button[data-act="delete-upload"]');
  if (!b) return;
  try {
    await api('DELETE', `/api/uploads/${b.closest('.upload').dataset.id}`);
  } catch (err) {
    setError($('form-error'), err.message);
  }
  loadUploads();
});

$('jobs').addEventListener('click', async (e) => {
  const b = e.target.closest('button');
  if (!b) return;
  const id = b.closest('.job').dataset.id;
  try {
    if (b.dataset.act === 'open') follow(id);
    if (b.dataset.act === 'cancel') { await api('POST', `/api/jobs/${id}/cancel`); follow(id); }
    if (b.dataset.act === 'delete') {
      await api('DELETE', `/api/jobs/${id}`);
      if (state.job && state.job.id === id) { state.job = null; show($('result'), false); }
      loadJobs();
    }
  } catch (err) {
    setError($('form-error'), err.message);
  }
});

// ---------------------------------------------------------------- wiring
function wireDrop(label, input, onFile) {
  input.addEventListener('change', () => input.files[0] && onFile(input.files[0]));
  label.addEventListener('dragover', (e) => { e.preventDefault(); label.classList.add('over'); });
  label.addEventListener('dragleave', () => label.classList.remove('over'));
  label.addEventListener('drop', (e) => {
    e.preventDefault();
    label.classList.remove('over');
    if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
  });
}

async function init() {
  wireDrop($('model-drop'), $('model-file'), (f) => {
    state.modelFile = f;
    state.example = null;
    for (const c of document.querySelectorAll('#examples .chip')) c.classList.remove('active');
    refreshForm();
  });
  wireDrop($('calib-drop'), $('calib-file'), (f) => { state.calibFile = f; refreshForm(); });
  segmented($('precision'), (v) => { state.precision = v; refreshForm(); });
  segmented($('calib-kind'), (v) => { state.calibKind = v; state.calibFile = null; $('calib-file').value = ''; refreshForm(); });
  segmented($('code-lang'), (v) => { state.codeLang = v; if (state.job && state.job.result) $('code').textContent = state.job.result.snippets[v]; });
  $('result-tabs').addEventListener('click', (e) => e.target.dataset.tab && selectTab(e.target.dataset.tab));
  $('convert').addEventListener('click', convert);
  $('cancel').addEventListener('click', async () => {
    if (state.job) { await api('POST', `/api/jobs/${state.job.id}/cancel`).catch((e) => setError($('form-error'), e.message)); }
  });
  $('copy-code').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('code').textContent);
      $('copy-code').textContent = 'Copied ✓';
    } catch {
      $('copy-code').textContent = 'Select and copy by hand';  // no clipboard outside a secure context
    }
    setTimeout(() => { $('copy-code').textContent = 'Copy'; }, COPY_FEEDBACK_MS);
  });

  try {
    const [health, options, models] = await Promise.all([api('GET', '/api/health'), api('GET', '/api/options'), api('GET', '/api/models')]);
    state.options = options;
    $('health').textContent = `${health.version} · ${health.workers} worker(s)`;
    $('health').classList.add('up');
    $('device').innerHTML = options.devices.map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`).join('');
    fillSelect($('calib-method'), options.int8.calib_method.values, options.int8.calib_method.default);
    fillSelect($('input-type'), options.int8.input_type.values, options.int8.input_type.default);
    fillSelect($('output-type'), options.int8.output_type.values, options.int8.output_type.default);
    if (models.models.length) {
      $('examples').innerHTML = models.models.map((m) => `<button class="chip" data-name="${esc(m.name)}">${esc(m.name)} <span class="muted">${bytes(m.bytes)}</span></button>`).join('');
    }
  } catch (e) {
    $('health').textContent = e.message;
    $('health').classList.add('down');
  }
  $('examples').addEventListener('click', (e) => {
    const chip = e.target.closest('.chip');
    if (!chip) return;
    state.example = chip.dataset.name;
    state.modelFile = null;
    $('model-file').value = '';
    for (const c of document.querySelectorAll('#examples .chip')) c.classList.toggle('active', c === chip);
    refreshForm();
  });
  refreshForm();
  loadJobs();
}

init();
