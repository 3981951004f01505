import { exportNotebook } from './notebook-export';
import { ipythonToPython, sqlScriptCell } from './script-export';
import { renderMarkdown } from './markdown-render';
import type { NotebookJSON } from '../nbformat';

const nb = (cells: object[], language = { name: 'python', file_extension: '.py' }): NotebookJSON => ({ nbformat: 4, nbformat_minor: 5, metadata: { language_info: language }, cells: cells as Record<string, unknown>[] });
const input = (notebook: NotebookJSON) => ({ notebook, raw: JSON.stringify(notebook), stem: 'my <nb>' });

describe('notebook export', () => {
  it('renders markdown with marked, keeping TeX intact and resolving attachments', () => {
    expect(renderMarkdown('Sum $x_1 + y_1$ and $$a_b$$ in *italics*')).toBe('<p>Sum $x_1 + y_1$ and $$a_b$$ in <em>italics</em></p>\n');
    expect(renderMarkdown('![a](attachment:pic.png)', { 'pic.png': { 'image/png': 'AAAA\nBBBB' } })).toContain('src="data:image/png;base64,AAAABBBB"');
    expect(renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('<table>');
  });

  it('escapes code and plain text in HTML, but keeps rich HTML output as nbconvert does', () => {
    const html = exportNotebook(
      'html',
      input(
        nb([
          { cell_type: 'code', metadata: {}, execution_count: 3, source: '<script>alert(1)</script>', outputs: [{ output_type: 'execute_result', execution_count: 3, metadata: {}, data: { 'text/plain': '<b>x</b>' } }] },
          { cell_type: 'code', metadata: {}, execution_count: 4, source: 'x', outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/html': '<i>rich</i>', 'text/plain': 'plain' } }] },
          { cell_type: 'raw', metadata: { format: 'text/html' }, source: '<hr>' },
          { cell_type: 'raw', metadata: {}, source: 'dropped raw' },
        ]),
      ),
    ).body;
    expect(html).toContain('<title>my &#60;nb&#62;</title>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Out[3]:');
    expect(html).toContain('<pre>&#60;b&#62;x&#60;/b&#62;</pre>');
    expect(html).toContain('<i>rich</i>');
    expect(html).not.toContain('plain');
    expect(html).toContain('<hr>');
    expect(html).not.toContain('dropped raw');
  });

  it('turns IPython syntax into Python calls in scripts', () => {
    expect(ipythonToPython('!ls -l\nx = 1\n  %time f(\'a\')')).toBe("get_ipython().system('ls -l')\nx = 1\n  get_ipython().run_line_magic('time', 'f(\\'a\\')')");
    expect(ipythonToPython('%%bash\necho "hi"\n')).toBe('get_ipython().run_cell_magic(\'bash\', \'\', "echo \\"hi\\"\\n")');
  });

  it('makes SQL cells a runnable script: magics commented, last statement terminated', () => {
    expect(sqlScriptCell('%connect odoo\nselect 1')).toBe('-- %connect odoo\nselect 1;');
    expect(sqlScriptCell('select 1;\n-- done')).toBe('select 1;\n-- done');
    expect(sqlScriptCell('select 1 -- trailing')).toBe('select 1 -- trailing\n;');
    const out = exportNotebook('script', input(nb([{ cell_type: 'code', metadata: {}, source: 'select 2', outputs: [] }], { name: 'sql', file_extension: '.sql' })));
    expect(out).toMatchObject({ filename: 'my <nb>.sql', mimetype: 'application/sql' });
    expect(out.body).toBe('-- In[ ]:\n\n\nselect 2;\n');
  });

  it('writes Markdown with fences longer than any backticks in the code', () => {
    const md = exportNotebook('markdown', input(nb([{ cell_type: 'code', metadata: {}, source: 'print("```")', outputs: [{ output_type: 'stream', name: 'stdout', text: '```\n' }] }]))).body;
    expect(md).toBe('````python\nprint("```")\n````\n\n    ```\n');
  });

  it('refuses an unknown format, naming the ones it has', () => {
    expect(() => exportNotebook('pdf', input(nb([])))).toThrow(/pdf.*available: html, markdown, notebook, script/);
  });
});
