'use strict';
// Minimal keep-alive REST client for the jupyter_server API.
const http = require('http');

class RestClient {
  constructor(baseUrl, token, { maxSockets = 64 } = {}) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.token = token;
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method, path, body, { timeoutMs = 120000 } = {}) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const headers = { Authorization: `token ${this.token}`, Accept: 'application/json' };
      if (data) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = data.length; }
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }

  async expect(method, path, body, statuses) {
    const r = await this.request(method, path, body);
    if (!statuses.includes(r.status)) {
      const detail = typeof r.body === 'string' ? r.body.slice(0, 300) : JSON.stringify(r.body).slice(0, 300);
      throw new Error(`${method} ${path} -> ${r.status} (expected ${statuses.join('/')}): ${detail}`);
    }
    return r.body;
  }

  startKernel(name = 'python3') { return this.expect('POST', '/api/kernels', { name }, [201]); }
  deleteKernel(id) { return this.expect('DELETE', `/api/kernels/${id}`, undefined, [204]); }
  listKernels() { return this.expect('GET', '/api/kernels', undefined, [200]); }
  createSession(i, name = 'python3') {
    return this.expect('POST', '/api/sessions',
      { path: `bench-${i}.ipynb`, type: 'notebook', name: '', kernel: { name } }, [201]);
  }
  deleteSession(id) { return this.expect('DELETE', `/api/sessions/${id}`, undefined, [204]); }
  listSessions() { return this.expect('GET', '/api/sessions', undefined, [200]); }

  close() { this.agent.destroy(); }
}

module.exports = { RestClient };
