#!/usr/bin/env node
// Presents npm `solc` (solc-js) as the `solc` binary that py-solc-x and ape-solidity call,
// so contracts compile with no compiler download.
//
//   solc --version                      -> native solc's two-line answer (py-solc-x parses it)
//   solc --standard-json [path flags]   -> standard JSON in on stdin, out on stdout
//
// Path flags (--base-path, --include-path, --allow-paths) are accepted; --allow-paths has no
// solc-js equivalent and is dropped, the others resolve imports missing from the input.
// We call the solc-js module rather than its `solcjs` CLI, whose stdout carries a non-JSON
// ">>>" banner line; any such line is stripped anyway before the JSON is written.
"use strict";
const fs = require("fs");
const path = require("path");

const solcDir = process.env.LEDGER_SOLCJS_DIR || path.join(__dirname, "..", "node_modules", "solc");
const solc = require(solcDir);

function nativeVersion() {
  // solc-js reports "0.8.28+commit.7893614a.Emscripten.clang"; native solc adds a platform.
  return solc.version().replace(/\.Emscripten\.clang$/, ".Linux.g++");
}

function parseArgs(argv) {
  const opts = { standardJson: false, version: false, basePath: null, includePaths: [], unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inlineValue !== undefined ? inlineValue : argv[++i]);
    switch (flag) {
      case "--version": opts.version = true; break;
      case "--standard-json": opts.standardJson = true; break;
      case "--base-path": opts.basePath = value(); break;
      case "--include-path": opts.includePaths.push(value()); break;
      case "--allow-paths": value(); break; // no solc-js equivalent: sources come inline
      case "-": break; // "read stdin", which standard JSON does anyway
      default: opts.unknown.push(arg);
    }
  }
  return opts;
}

function importCallback(roots) {
  return (importPath) => {
    for (const root of roots) {
      const candidate = path.resolve(root, importPath);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
    }
    return { error: `File not found in ${roots.join(", ")}: ${importPath}` };
  };
}

function stripBanner(output) {
  return output.split("\n").filter((line) => !line.startsWith(">>>")).join("\n");
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`);
    return 0;
  }
  if (!opts.standardJson || opts.unknown.length) {
    process.stderr.write(
      `solc shim: only --version and --standard-json are supported (got: ${opts.unknown.join(" ") || "no mode"})\n`,
    );
    return 2;
  }
  const input = fs.readFileSync(0, "utf8");
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  const output = solc.compile(input, { import: importCallback(roots) });
  process.stdout.write(stripBanner(output));
  return 0;
}

process.exitCode = main();
