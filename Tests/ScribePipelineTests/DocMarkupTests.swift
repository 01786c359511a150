import Testing

@testable import ScribePipeline

/// Doc comment markup read into summary, parameters, returns, throws and deprecation.
@Suite struct DocMarkupTests {
    @Test func jsdocAndJavadocTags() {
        let m = DocMarkup.parse(
            """
            Listen for connections.

            @param {number} port - The port.
            @param [host=localhost] The host,
              or an address.
            @returns {Server} The server.
            @throws {Error} When the port is taken.
            @deprecated Use serve().
            @public
            """)
        #expect(m.summary == "Listen for connections.")
        #expect(m.params == [.init(name: "port", text: "The port."), .init(name: "host", text: "The host, or an address.")])
        #expect(m.returns == "The server.")
        #expect(m.throwsText == ["{Error} When the port is taken."])
        #expect(m.deprecated == "Use serve().")
    }

    @Test func restFields() {
        let m = DocMarkup.parse(
            """
            Fetch a page.

            :param url: Where it is.
            :param int timeout: Seconds to wait.
            :returns: The body.
            :raises ValueError: On a bad URL.

            .. deprecated:: 2.0 Use get().
            """)
        #expect(m.summary == "Fetch a page.")
        #expect(m.params.map(\.name) == ["url", "timeout"])
        #expect(m.params.map(\.text) == ["Where it is.", "Seconds to wait."])
        #expect(m.returns == "The body.")
        #expect(m.throwsText == ["ValueError: On a bad URL."])
        #expect(m.deprecated == "2.0 Use get().")
    }

    @Test func aLineStartingWithARoleIsProseNotAField() {
        // click's `command`: the summary's second line starts with `:func:`.
        let m = DocMarkup.parse(
            """
            Creates a new :class:`Command` and uses the decorated function as
            callback.  This will also automatically attach all decorated
            :func:`option`\\s and :func:`argument`\\s as parameters to the command.

            :param name: The name of the command.
            """)
        #expect(m.summary == "Creates a new :class:`Command` and uses the decorated function as\ncallback.  This will also automatically attach all decorated\n:func:`option`\\s and :func:`argument`\\s as parameters to the command.")
        #expect(m.params == [.init(name: "name", text: "The name of the command.")])
    }

    @Test func metadataTagsAreNeverShownAndATypeStandsForMissingWords() {
        // Express's lib/utils.js: types without words, and dox's `@api private`.
        let m = DocMarkup.parse("Return strong ETag for `body`.\n\n@param {String|Buffer} body\n@param {String} [encoding]\n@return {String}\n@api private")
        #expect(m.summary == "Return strong ETag for `body`.")
        #expect(m.params == [.init(name: "body", text: "{String|Buffer}"), .init(name: "encoding", text: "{String}")])
        #expect(m.returns == "{String}")
        #expect(BuiltinGenerator.renderDoc("A list of methods.\n@api private") == "> A list of methods.\n\n")
        #expect(BuiltinGenerator.renderDoc("Listens.\n\n@param port\n@return") == "> Listens.\n> \n> **Parameters**\n> \n> - `port`\n\n")
        // An indented decorator in a Python example is code, not a tag.
        let py = "Registers a route.\n\nExample::\n\n    @app.route(\"/\")\n    def index(): ..."
        #expect(!DocMarkup.parse(py).isStructured)
        #expect(BuiltinGenerator.renderDoc(py).contains("@app.route"))
    }

    @Test func googleAndNumpySections() {
        let g = DocMarkup.parse(
            """
            Fetch a page.

            Args:
                url (str): Where it is.
                timeout: Seconds to wait,
                    at most.

            Returns:
                The body.

            Raises:
                ValueError: On a bad URL.
            """)
        #expect(g.summary == "Fetch a page.")
        #expect(g.params == [.init(name: "url", text: "Where it is."), .init(name: "timeout", text: "Seconds to wait, at most.")])
        #expect(g.returns == "The body.")
        #expect(g.throwsText == ["ValueError: On a bad URL."])
        let n = DocMarkup.parse(
            """
            Fetch a page.

            Parameters
            ----------
            url : str
                Where it is.
            timeout : float
                Seconds to wait.

            Returns
            -------
            str
            """)
        #expect(n.summary == "Fetch a page.")
        #expect(n.params == [.init(name: "url", text: "Where it is."), .init(name: "timeout", text: "Seconds to wait.")])
        #expect(n.returns == "str")
    }

    @Test func csharpXmlAndDocC() {
        let x = DocMarkup.parse(
            """
            <summary>
            Adds two <see cref="T:System.Int32"/> values.
            </summary>
            <param name="a">The first.</param>
            <param name="b">The second.</param>
            <returns>The sum.</returns>
            <exception cref="OverflowException">On overflow.</exception>
            """)
        #expect(x.summary == "Adds two `System.Int32` values.")
        #expect(x.params == [.init(name: "a", text: "The first."), .init(name: "b", text: "The second.")])
        #expect(x.returns == "The sum.")
        #expect(x.throwsText == ["OverflowException: On overflow."])
        #expect(DocMarkup.parse("<inheritdoc/>").inherits)
        let d = DocMarkup.parse(
            """
            The distance to another point.

            - Parameters:
              - other: The other point.
              - metric: How to measure.
            - Returns: The distance.
            - Throws: `MetricError` when unknown.
            """)
        #expect(d.summary == "The distance to another point.")
        #expect(d.params == [.init(name: "other", text: "The other point."), .init(name: "metric", text: "How to measure.")])
        #expect(d.returns == "The distance.")
        #expect(d.throwsText == ["`MetricError` when unknown."])
    }

    @Test func plainProseIsAllSummary() {
        let m = DocMarkup.parse("Turns a title into a URL slug.\n\nKeeps letters: digits too.")
        #expect(!m.isStructured)
        #expect(m.summary == "Turns a title into a URL slug.\n\nKeeps letters: digits too.")
    }

    @Test func thePageShowsListsNotRawTags() {
        let md = BuiltinGenerator.renderDoc("Adds.\n\n@param {number} a The first.\n@returns The sum.")
        // All of it is the source's own words, so all of it stays inside the quote.
        #expect(md == "> Adds.\n> \n> **Parameters**\n> \n> - `a` — The first.\n> \n> **Returns** The sum.\n\n")
    }
}
