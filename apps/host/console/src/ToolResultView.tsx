import { type ToolResult, toolErrorDisplay } from '@shoal/shared';
import { prettyJson } from './format.js';

/** Shows what a tool returned (spec §1.6), or its error (spec §1.7). */
export function ToolResultView({ result }: { result: ToolResult }) {
  switch (result.type) {
    case 'Bash':
      return (
        <CommandOutput
          command={result.command}
          stdout={result.stdout}
          stderr={result.stderr}
          exitCode={result.exitCode}
          timedOut={result.timedOut}
        />
      );
    case 'FileContent':
      return (
        <div class="tool-result">
          <div class="muted">
            {result.filePath} · {result.lineCount} lines{result.truncated ? ' (truncated)' : ''}
          </div>
          <pre class="output">{result.content}</pre>
        </div>
      );
    case 'Edit':
      return (
        <div class="tool-result">
          {result.filePath}: {result.fileCreated ? 'created' : result.changesMade ? 'edited' : 'unchanged'}
        </div>
      );
    case 'FileList':
      return (
        <div class="tool-result">
          <div class="muted">{result.basePath}</div>
          <pre class="output">
            {result.entries.map((e) => (e.isDirectory ? `${e.path}/` : e.path)).join('\n')}
          </pre>
        </div>
      );
    case 'Glob':
      return (
        <div class="tool-result">
          <div class="muted">{result.pattern}</div>
          <pre class="output">{result.matches.join('\n') || '(no matches)'}</pre>
        </div>
      );
    case 'Search':
      return (
        <div class="tool-result">
          <div class="muted">
            {result.matches.length} matches in {result.totalFilesSearched} files
          </div>
          <pre class="output">
            {result.matches.map((m) => `${m.filePath}:${m.lineNumber}: ${m.lineContent}`).join('\n')}
          </pre>
        </div>
      );
    case 'External':
      return <pre class="output">{result.payload}</pre>;
    case 'Error':
      return <div class="tool-result error">{toolErrorDisplay(result.error)}</div>;
    default:
      return <pre class="output">{prettyJson(result)}</pre>;
  }
}

export function CommandOutput(props: {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut?: boolean;
}) {
  const failed = props.exitCode !== 0 || props.timedOut === true;
  return (
    <div class="command">
      <pre class="output">
        <span class="prompt">$ {props.command}</span>
        {props.stdout !== '' && <span class="stdout">{`\n${props.stdout.replace(/\n$/, '')}`}</span>}
        {props.stderr !== '' && <span class="stderr">{`\n${props.stderr.replace(/\n$/, '')}`}</span>}
      </pre>
      <div class={failed ? 'exit error' : 'exit muted'}>
        exit {props.exitCode}
        {props.timedOut === true && ' · timed out'}
      </div>
    </div>
  );
}
