// HTTP "leak detector": a server on 127.0.0.1 (ephemeral port) that records
// every request it gets. Point remote content in test messages at it
// (http://127.0.0.1:<port>/...) and assert that nothing arrived.
//
//   const leak = await startLeakServer();
//   leak.url("/pixel.png")  -> "http://127.0.0.1:<port>/pixel.png"
//   leak.requests()         -> [{method, url, headers, time}]
//   leak.reset(); await leak.close();
//
// It answers every request with a 1x1 transparent GIF (so an image that does
// load looks like a real tracking pixel) and `Connection: close`.

import http from "node:http";

const GIF_1X1 = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/**
 * @returns {Promise<{port:number, url(p?:string):string, requests():Array<{method:string,url:string,headers:object,time:number}>, reset():void, waitForRequests(n:number, ms?:number):Promise<Array>, close():Promise<void>}>}
 */
export async function startLeakServer() {
  let log = [];
  const server = http.createServer((req, res) => {
    log.push({ method: req.method, url: req.url, headers: { ...req.headers }, time: Date.now() });
    req.resume();
    res.writeHead(200, { "Content-Type": "image/gif", "Content-Length": GIF_1X1.length, Connection: "close" });
    res.end(GIF_1X1);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: (p = "/") => `http://127.0.0.1:${port}${p.startsWith("/") ? p : `/${p}`}`,
    requests: () => log.slice(),
    reset: () => {
      log = [];
    },
    /** Polls until at least n requests were recorded (or times out -> returns what it has). */
    async waitForRequests(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (log.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return log.slice();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
