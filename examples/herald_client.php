<?php
// Publish to and subscribe from Herald with plain PHP (no extension beyond the
// defaults: streams and json).
//
//   php examples/herald_client.php publish news '{"title": "hello"}'
//   php examples/herald_client.php subscribe news [count]
//
// HERALD_URL (default http://localhost:8000) and HERALD_TOKEN (optional) come
// from the environment. `publish` sends an Idempotency-Key and retries lost
// answers, 503, 409 and 429 with backoff, so it publishes once. `subscribe`
// follows the SSE stream and reconnects from the last event id it saw.

$url = rtrim(getenv('HERALD_URL') ?: 'http://localhost:8000', '/');
$token = getenv('HERALD_TOKEN') ?: null;

function herald_headers(?string $token, array $extra = []): array {
    $headers = array_merge(['Accept: application/json'], $extra);
    if ($token) $headers[] = "Authorization: Bearer $token";
    return $headers;
}

function herald_publish(string $url, ?string $token, string $channel, $data, ?string $event = null, int $retries = 4): array {
    $body = ['data' => $data];
    if ($event !== null) $body['event'] = $event;
    $key = bin2hex(random_bytes(16));
    for ($attempt = 0; ; $attempt++) {
        $context = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => herald_headers($token, ['Content-Type: application/json', "Idempotency-Key: $key"]),
            'content' => json_encode($body),
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $answer = @file_get_contents("$url/api/channels/" . rawurlencode($channel) . "/messages", false, $context);
        $status = 0;
        $retryAfter = 0;
        foreach ($http_response_header ?? [] as $line) {
            if (preg_match('#^HTTP/\S+ (\d+)#', $line, $m)) $status = (int) $m[1];
            if (preg_match('#^retry-after:\s*(\d+)#i', $line, $m)) $retryAfter = (int) $m[1];
        }
        if ($status === 201) return json_decode($answer, true);
        // No answer (the connection), or an answer worth retrying with the same key.
        $again = $answer === false || in_array($status, [409, 429, 503], true);
        if (!$again || $attempt >= $retries) {
            throw new RuntimeException("publish: HTTP $status $answer");
        }
        usleep((int) (max($retryAfter, 0.2 * 2 ** $attempt * (0.5 + mt_rand() / mt_getrandmax() / 2)) * 1e6));
    }
}

// PHP's http:// stream wrapper holds a streamed body back until its buffer
// fills, so the stream is read from a plain socket, over HTTP/1.0 (no chunks).
function herald_subscribe(string $url, ?string $token, string $channel, ?int $count, callable $onEvent): void {
    $u = parse_url($url);
    $tls = ($u['scheme'] ?? 'http') === 'https';
    $host = $u['host'];
    $port = $u['port'] ?? ($tls ? 443 : 80);
    $path = rtrim($u['path'] ?? '', '/') . '/api/channels/' . rawurlencode($channel) . '/events';
    $lastId = null;
    $seen = 0;
    $delay = 0.5;
    while ($count === null || $seen < $count) {
        $socket = @fsockopen(($tls ? 'ssl://' : '') . $host, $port, $errno, $errstr, 10);
        if ($socket !== false) {
            $request = "GET $path HTTP/1.0\r\nHost: $host\r\nAccept: text/event-stream\r\n";
            if ($token) $request .= "Authorization: Bearer $token\r\n";
            if ($lastId !== null) $request .= "Last-Event-ID: $lastId\r\n";
            fwrite($socket, "$request\r\n");
            $status = (int) (explode(' ', (string) fgets($socket))[1] ?? 0);
            while (($line = fgets($socket)) !== false && rtrim($line) !== '') {
                // the response headers
            }
            if ($status >= 400 && $status < 500) {
                throw new RuntimeException("subscribe: HTTP $status " . stream_get_contents($socket));
            }
            if ($status === 200) $delay = 0.5;
            $fields = [];
            while ($status === 200 && ($line = fgets($socket)) !== false) {
                $line = rtrim($line, "\r\n");
                if ($line === '') {
                    if (isset($fields['data'])) {
                        $lastId = $fields['id'] ?? $lastId;
                        $onEvent($lastId, $fields['event'] ?? 'message', json_decode($fields['data'], true));
                        if ($count !== null && ++$seen >= $count) break 2;
                    }
                    $fields = [];
                } elseif ($line[0] !== ':') {
                    [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
                    if (str_starts_with($value, ' ')) $value = substr($value, 1);
                    $fields[$name] = ($name === 'data' && isset($fields['data'])) ? $fields['data'] . "\n" . $value : $value;
                }
            }
            fclose($socket);
        }
        usleep((int) ($delay * (0.5 + mt_rand() / mt_getrandmax() / 2) * 1e6));
        $delay = min($delay * 2, 10);
    }
}

if (PHP_SAPI === 'cli' && realpath($argv[0]) === __FILE__) {
    if (($argv[1] ?? '') === 'publish' && isset($argv[3])) {
        echo json_encode(herald_publish($url, $token, $argv[2], json_decode($argv[3], true))), "\n";
    } elseif (($argv[1] ?? '') === 'subscribe' && isset($argv[2])) {
        herald_subscribe($url, $token, $argv[2], isset($argv[3]) ? (int) $argv[3] : null,
            function ($id, $event, $data) {
                echo json_encode(['id' => $id, 'event' => $event, 'data' => $data]), "\n";
                flush();
            });
    } else {
        fwrite(STDERR, "usage: php herald_client.php publish CHANNEL JSON | subscribe CHANNEL [COUNT]\n");
        exit(2);
    }
}
