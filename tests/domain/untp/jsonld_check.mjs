// Digital Bazaar's jsonld.js on UNTP exports, for tests/domain/untp/test_untp_spec.py:
// expand in safe mode (any dropped term or relative IRI is an error) and canonicalize with
// RDFC-1.0, contexts from a JSON map {url: document} given on stdin with the documents.
// Input: {"contexts": {...}, "documents": [...]}; output: [{"ok", "error", "nquads"}].
import jsonld from 'jsonld';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const {contexts, documents} = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const documentLoader = async url => {
  if(!(url in contexts)) {
    throw new Error(`no local copy of ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(contexts[url])};
};
const results = [];
for(const document of documents) {
  try {
    await jsonld.expand(document, {documentLoader, safe: true});
    const nquads = await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
    });
    results.push({ok: true, error: null, nquads});
  } catch(error) {
    results.push({ok: false, error: `${error.name}: ${error.message} ${
      JSON.stringify(error.details ?? {}).slice(0, 500)}`, nquads: null});
  }
}
process.stdout.write(JSON.stringify(results));
