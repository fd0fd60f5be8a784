/** What the registry needs to know about a live socket. */
export interface RegisteredSocket {
  readonly socketId: string;
}

/**
 * The live sockets of a server, by socket id. Two sockets can claim the same id (a vehicle that
 * reuses its `X-TXID`): lookups return the newest one still connected.
 */
export class SocketRegistry<Socket extends RegisteredSocket> implements Iterable<Socket> {
  // Almost always one socket per id; the array keeps duplicates in connection order.
  readonly #byId = new Map<string, Socket[]>();
  #size = 0;

  add(socket: Socket): void {
    const sameId = this.#byId.get(socket.socketId);
    if (sameId === undefined) this.#byId.set(socket.socketId, [socket]);
    else sameId.push(socket);
    this.#size += 1;
  }

  delete(socket: Socket): boolean {
    const sameId = this.#byId.get(socket.socketId);
    const index = sameId?.indexOf(socket) ?? -1;
    if (sameId === undefined || index < 0) return false;
    sameId.splice(index, 1);
    if (sameId.length === 0) this.#byId.delete(socket.socketId);
    this.#size -= 1;
    return true;
  }

  get(socketId: string): Socket | undefined {
    return this.#byId.get(socketId)?.at(-1);
  }

  get size(): number {
    return this.#size;
  }

  /** Iterates over a snapshot, so sockets may leave the registry while it runs. */
  [Symbol.iterator](): Iterator<Socket> {
    return [...this.#byId.values()].flat()[Symbol.iterator]();
  }
}
