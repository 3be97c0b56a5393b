/* The phone's store (IndexedDB through idb): the assigned work as of the last sync, the records waiting to be
   sent, their photos, and the sign-in (device key, password verifier). Wiped whole on logout or revocation. */
(function (root) {
  "use strict";
  var NAME = "minzheng-field", VERSION = 1, dbp = null;

  function db() {
    if (!dbp) {
      dbp = root.idb.openDB(NAME, VERSION, {
        upgrade: function (d) {
          d.createObjectStore("meta");
          d.createObjectStore("outbox", { keyPath: "client_id" });
          d.createObjectStore("photos", { keyPath: "client_id" });
        }
      });
    }
    return dbp;
  }
  function get(key) { return db().then(function (d) { return d.get("meta", key); }); }
  function set(key, value) { return db().then(function (d) { return d.put("meta", value, key); }); }
  function del(key) { return db().then(function (d) { return d.delete("meta", key); }); }

  function records() {
    return db().then(function (d) { return d.getAll("outbox"); }).then(function (rows) {
      return rows.sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }
  function putRecord(rec) { return db().then(function (d) { return d.put("outbox", rec); }); }
  function record(id) { return db().then(function (d) { return d.get("outbox", id); }); }

  /* A record and its photos in one transaction: both are kept, or neither. */
  function saveRecord(rec, photos) {
    return db().then(function (d) {
      var tx = d.transaction(["outbox", "photos"], "readwrite");
      (photos || []).forEach(function (p) { tx.objectStore("photos").put(p); });
      tx.objectStore("outbox").put(rec);
      return tx.done;
    });
  }
  function dropRecord(rec) {
    return db().then(function (d) {
      var tx = d.transaction(["outbox", "photos"], "readwrite");
      Object.keys(rec.photos || {}).forEach(function (k) { tx.objectStore("photos").delete(rec.photos[k]); });
      tx.objectStore("outbox").delete(rec.client_id);
      return tx.done;
    });
  }
  function photo(id) { return db().then(function (d) { return d.get("photos", id); }); }
  function putPhoto(p) { return db().then(function (d) { return d.put("photos", p); }); }

  /* Everything goes: work, pending records, photos, the key and the verifier. */
  function wipe() {
    var done = dbp ? dbp.then(function (d) { d.close(); }) : Promise.resolve();
    dbp = null;
    return done.then(function () { return root.idb.deleteDB(NAME); });
  }

  root.MZStore = { get: get, set: set, del: del, records: records, record: record, putRecord: putRecord,
                   saveRecord: saveRecord, dropRecord: dropRecord, photo: photo, putPhoto: putPhoto, wipe: wipe };
})(self);
