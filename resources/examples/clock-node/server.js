// A world clock: Node standard library only. Reads PORT and binds HOST, as SpawnAI apps do.
const http = require('http');

const zones = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo', 'Australia/Sydney'];

function page() {
  const rows = zones.map(zone => {
    const time = new Date().toLocaleTimeString('en-GB', { timeZone: zone });
    return `<tr><td>${zone}</td><td>${time}</td></tr>`;
  }).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>World clock</title>
<meta http-equiv="refresh" content="1">
<style>body{font:18px system-ui;max-width:30rem;margin:3rem auto}td{padding:.4rem 1rem}
td:last-child{font-variant-numeric:tabular-nums}</style></head>
<body><h1>World clock</h1><table>${rows}</table></body></html>`;
}

const server = http.createServer((req, res) => {
  if (req.url === '/api/time') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ now: new Date().toISOString() }));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(page());
});

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8000);
server.listen(port, host, () => console.log(`clock listening on ${host}:${port}`));
