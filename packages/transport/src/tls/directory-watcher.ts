import { lstatSync, readlinkSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DirectoryWatcherOptions {
  /** Quiet time after the last change before `onChange` runs (a renewal writes several files). */
  readonly debounceMs: number;
  /** Watch errors (a directory that went away, a watch limit); watching goes on where it can. */
  readonly onError: (error: Error, directory: string) => void;
}

/**
 * Calls `onChange` once things settle after anything changes in the directories that hold
 * `files`, or hold what those files link to.
 *
 * Directories, not the files themselves: a file replaced by rename (an atomic write, or a
 * Kubernetes secret volume swapping its `..data` symlink) is a new inode, and a watch on the old
 * one would never fire again. Events are not filtered by name, because in a secret volume the
 * name that changes is `..data`, not the file; the caller compares contents to skip non-changes.
 */
export class DirectoryWatcher {
  readonly #files: readonly string[];
  readonly #onChange: () => void;
  readonly #options: DirectoryWatcherOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  /** Directories that could not be watched, reported once until they can be. */
  readonly #unwatchable = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(files: readonly string[], onChange: () => void, options: DirectoryWatcherOptions) {
    this.#files = files.map((file) => resolve(file));
    this.#onChange = onChange;
    this.#options = options;
    this.refresh();
  }

  /** The directories being watched. */
  get directories(): string[] {
    return [...this.#watchers.keys()];
  }

  /**
   * Watches the directories the files are in now: links may point somewhere else after a swap,
   * and a directory that could not be watched before may exist now.
   */
  refresh(): void {
    if (this.#closed) return;
    const wanted = new Set(this.#files.flatMap(directoriesBehind));
    for (const [directory, watcher] of this.#watchers) {
      if (!wanted.has(directory)) {
        watcher.close();
        this.#watchers.delete(directory);
      }
    }
    for (const directory of wanted) {
      if (!this.#watchers.has(directory)) this.#watch(directory);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  #watch(directory: string): void {
    let watcher: FSWatcher;
    try {
      // Not persistent: watching certificates alone should not keep a process alive.
      watcher = watch(directory, { persistent: false }, () => this.#schedule());
    } catch (error) {
      if (!this.#unwatchable.has(directory)) this.#options.onError(error as Error, directory);
      this.#unwatchable.add(directory);
      return;
    }
    this.#unwatchable.delete(directory);
    watcher.on('error', (error) => {
      watcher.close();
      if (this.#watchers.get(directory) === watcher) this.#watchers.delete(directory);
      this.#options.onError(error, directory);
      // The directory may have been replaced: whatever is there now gets a look.
      this.#schedule();
    });
    this.#watchers.set(directory, watcher);
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh();
      this.#onChange();
    }, this.#options.debounceMs);
    this.#timer.unref();
  }
}

const maxLinkHops = 16;

/**
 * The directories whose entries decide what `file` reads as: its own, and that of every symlink
 * on the way to the real file (certbot's `live/` links, a secret volume's `..data`). Each is
 * given as its real path, so a directory reached through a link that was swapped is watched anew.
 */
function directoriesBehind(file: string): string[] {
  const directories = [realOrSelf(dirname(file))];
  let current = file;
  for (let hop = 0; hop < maxLinkHops; hop += 1) {
    let next: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) break;
      next = resolve(dirname(current), readlinkSync(current));
    } catch {
      break;
    }
    directories.push(realOrSelf(dirname(next)));
    current = next;
  }
  const target = realOrSelf(file);
  if (target !== file) directories.push(dirname(target));
  return directories;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
