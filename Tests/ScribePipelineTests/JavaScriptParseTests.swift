import Testing

@testable import ScribePipeline

/// JavaScript through its syntax tree: JSDoc blocks across blank lines, CommonJS and ES exports,
/// `@private`, helpers that define properties, aliases, and no placeholder names.
@Suite struct JavaScriptParseTests {
    static let files: [String: String] = [
        "lib/app.js": """
            /*!
             * app
             * MIT Licensed
             */

            'use strict';

            /**
             * Module dependencies.
             * @private
             */

            var finalhandler = require('finalhandler');
            var Router = require('./router');
            // var fake = require('./commented');
            var text = "require('./in-string')";

            var app = exports = module.exports = {};

            /**
             * Initialize the server.
             *
             * @param {Object} options
             * @private
             */

            app.init = function init(options) {
              this.cache = {};
            };

            /**
             * Listen for connections.
             *
             * @return {Server}
             * @public
             */

            app.listen = function listen() {
              return [1].map(function () { return 2; });
            };

            app.del = app.delete;

            /**
             * The protocol of the request.
             */
            defineGetter(app, 'protocol', function protocol() {
              return 'http';
            });

            [1, 2].forEach(function () {});
            setTimeout(() => {}, 1);

            function helper() {}

            /** A widget. */
            class Widget {
              /** Make one. */
              constructor(a) {}
              #secret() {}
              /** Its size. */
              get size() { return 1; }
            }
            module.exports.Widget = Widget;
            const lazy = import('./lazy.js');
            """,
        "lib/esm.mjs": """
            import { a } from './a.js';
            export { b } from "./b.js";

            /** Adds. */
            export function add(x, y) { return x + y; }

            function local() {}

            /** Old. @deprecated use add */
            export const plus = (x, y) => x + y;

            export default function () {}
            """,
    ]

    @Test func jsdocBlocksAttachAcrossBlankLinesAndThroughAssignments() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let app = "lib/app.js"
        #expect(a.the("init", scope: nil, in: app)?.doc == "Initialize the server.\n\n@param {Object} options\n@private")
        #expect(a.the("listen", in: app)?.doc == "Listen for connections.\n\n@return {Server}\n@public")
        #expect(a.the("protocol", in: app)?.doc == "The protocol of the request.")
        #expect(a.the("protocol", in: app)?.kind == "property")
        #expect(a.the("del", in: app)?.signature == "= app.delete")
        #expect(a.the("Widget", in: app)?.doc == "A widget.")
        #expect(a.the("size", scope: "Widget", in: app)?.doc == "Its size.")
        try checkTruth(a, root: f.root)
    }

    @Test func exportsAndPrivacyFollowTheModuleSystem() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let app = "lib/app.js"
        #expect(a.the("listen", in: app)?.isPublic == true)
        #expect(a.the("init", in: app)?.isPublic == false)  // @private
        #expect(a.the("del", in: app)?.isPublic == true)
        #expect(a.the("helper", in: app)?.isPublic == false)
        #expect(a.the("Widget", in: app)?.isPublic == true)  // module.exports.Widget = Widget
        #expect(a.the("#secret", scope: "Widget", in: app)?.isPublic == false)
        #expect(a.the("add", in: "lib/esm.mjs")?.isPublic == true)
        #expect(a.the("local", in: "lib/esm.mjs")?.isPublic == false)
        #expect(a.the("plus", in: "lib/esm.mjs")?.isPublic == true)
        #expect(a.the("default", in: "lib/esm.mjs")?.isPublic == true)
        // Requires are imports, the exports object is the module: neither is a declaration.
        #expect(!a.has("finalhandler") && !a.has("Router") && !a.has("app") && !a.has("lazy"))
        // Anonymous functions are not declarations, and no placeholder name appears.
        #expect(!a.symbols.contains { $0.name.hasPrefix("Anonymous") || $0.name.hasPrefix("__anon") || $0.name.isEmpty })
        #expect(a.symbols.filter { $0.path == app }.map(\.name) == ["text", "init", "listen", "del", "protocol", "helper", "Widget", "constructor", "#secret", "size"])
    }

    @Test func doxApiPrivateIsPrivate() throws {
        let f = try Fixture([
            "lib/utils.js": """
                /**
                 * A list of methods.
                 * @api private
                 */
                exports.methods = ['get'];

                /**
                 * Weak ETag.
                 *
                 * @param {String} body
                 * @access private
                 */
                exports.wetag = function (body) {};

                /**
                 * Sets a header.
                 * @api public
                 */
                exports.set = function (name) {};
                """
        ])
        let a = try f.analyze()
        #expect(a.the("methods", in: "lib/utils.js")?.isPublic == false)
        #expect(a.the("wetag", in: "lib/utils.js")?.isPublic == false)
        #expect(a.the("set", in: "lib/utils.js")?.isPublic == true)
    }

    @Test func importsComeFromCodeOnly() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "lib/app.js") == ["13 finalhandler", "14 ./router", "65 ./lazy.js"])
        #expect(a.imports.first { $0.path == "lib/app.js" && $0.line == 65 }?.kind == "dynamic")
        #expect(a.imports(of: "lib/esm.mjs") == ["1 ./a.js", "2 ./b.js"])
    }
}
