import Testing

@testable import ScribePipeline

/// TypeScript and TSX through their syntax trees: exports, interfaces, type aliases, enums, JSDoc with
/// `@private`/`@internal`, private and protected members, overloads as one entry, and imports
/// (`import type`, dynamic `import()`) read from code only.
@Suite struct TypeScriptParseTests {
    static let files: [String: String] = [
        "src/index.ts": """
            import type { Options } from './options';
            import { helper } from "./util";
            // import { gone } from './commented';
            const text = "import('./in-string')";

            /** What a shape is. */
            export interface Shape {
              /** Its area. */
              area(): number;
              name: string;
            }

            /** A colour name. */
            export type Colour = 'red' | 'green';

            /** Directions. */
            export enum Direction {
              /** Up it goes. */
              Up = 1,
              Down,
            }

            /** Parses text. */
            export function parse(input: string): number;

            export function parse(input: number): number;
            export function parse(input: any): number {
              return 0;
            }

            /**
             * Internal detail.
             * @internal
             */
            export function secret(): void {}

            function local(): void {}

            /** A square. */
            export class Square implements Shape {
              name = 'square';
              private side = 1;
              protected scale(): void {}
              /** @private */
              hidden(): void {}
              /** Its area. */
              area(): number;
              area(unit: string): number;
              area(unit?: string): number { return this.side * this.side; }
            }

            export const lazy = () => import('./lazy');
            """,
        "src/options.ts": """
            /** Options of a parse. */
            export interface Options {
              strict: boolean;
            }
            """,
        "src/util.ts": """
            export function helper(): void {}
            """,
        "src/view.tsx": """
            import { parse } from './index';

            /** Shows a value. */
            export function View(props: { value: string }) {
              return <div>{props.value}</div>;
            }
            """,
    ]

    @Test func declarationsAndDocsFollowTypeScript() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let index = "src/index.ts"
        #expect(a.the("Shape", in: index)?.kind == "interface")
        #expect(a.the("Shape", in: index)?.doc == "What a shape is.")
        #expect(a.the("area", scope: "Shape", in: index)?.doc == "Its area.")
        #expect(a.the("name", scope: "Shape", in: index)?.kind == "property")
        #expect(a.the("Colour", in: index)?.doc == "A colour name.")
        #expect(a.the("Direction", in: index)?.kind == "enum")
        #expect(a.the("Up", scope: "Direction", in: index)?.doc == "Up it goes.")
        #expect(a.the("Down", scope: "Direction", in: index)?.doc == nil)
        // Two overload signatures and the implementation: one entry, documented by the first signature.
        #expect(a.the("parse", in: index)?.overloads == 2)
        #expect(a.the("parse", in: index)?.doc == "Parses text.")
        #expect(a.the("parse", in: index)?.line == 27)  // the implementation
        #expect(a.the("area", scope: "Square", in: index)?.overloads == 2)
        #expect(a.the("area", scope: "Square", in: index)?.doc == "Its area.")
        #expect(a.the("View", in: "src/view.tsx")?.doc == "Shows a value.")
        try checkTruth(a, root: f.root)
    }

    @Test func publicSurfaceFollowsExportsAndModifiers() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        let index = "src/index.ts"
        #expect(a.the("Shape", in: index)?.isPublic == true)
        #expect(a.the("parse", in: index)?.isPublic == true)
        #expect(a.the("secret", in: index)?.isPublic == false)  // @internal
        #expect(a.the("local", in: index)?.isPublic == false)  // not exported
        #expect(a.the("Square", in: index)?.isPublic == true)
        #expect(a.the("name", scope: "Square", in: index)?.isPublic == true)
        #expect(a.the("side", scope: "Square", in: index)?.isPublic == false)  // private
        #expect(a.the("scale", scope: "Square", in: index)?.isPublic == false)  // protected
        #expect(a.the("hidden", scope: "Square", in: index)?.isPublic == false)  // @private
        #expect(a.symbols.filter { $0.path == index && $0.scope == nil }.map(\.name)
            == ["text", "Shape", "Colour", "Direction", "parse", "secret", "local", "Square", "lazy"])
    }

    @Test func importsComeFromCodeOnly() throws {
        let f = try Fixture(Self.files)
        let a = try f.analyze()
        #expect(a.imports(of: "src/index.ts") == ["1 ./options", "2 ./util", "52 ./lazy"])
        #expect(a.imports.first { $0.path == "src/index.ts" && $0.line == 52 }?.kind == "dynamic")
        #expect(a.imports(of: "src/view.tsx") == ["1 ./index"])
    }
}
