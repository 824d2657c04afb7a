//! Stars (`\Flagged`) both ways, like read/unread: the user's stars reach the server with the
//! next sync (checked with `doveadm`, the server's own view), stars set elsewhere come back, and
//! a pull never overwrites a star still to push.

use std::collections::BTreeSet;

use tidings_imap::{sync_mailbox, sync_mailbox_with, SyncOptions, SyncPolicy};
use tidings_store::Store;

use crate::flags::{inbox_key, store};
use crate::util::{login, other_client, other_store, plain_config, seed, server_uids_with, start, step};

fn local_stars(store: &Store) -> BTreeSet<u32> {
    store
        .list_messages("acct", "INBOX")
        .expect("list")
        .into_iter()
        .filter(|summary| summary.flagged)
        .map(|summary| summary.key.uid)
        .collect()
}

fn server_stars(dovecot: &tidings_testkit::Dovecot) -> BTreeSet<u32> {
    server_uids_with(dovecot, "INBOX", "\\Flagged").into_iter().collect()
}

#[tokio::test]
async fn stars_go_both_ways_under_every_policy() {
    for policy in [SyncPolicy::Qresync, SyncPolicy::Condstore, SyncPolicy::Basic] {
        let dovecot = start(false);
        seed(&dovecot, 1, 8);
        let store = store();
        let options = SyncOptions { policy: Some(policy), ..SyncOptions::default() };
        let mut session = login(&plain_config(&dovecot), &dovecot).await;
        let first = step("sync 1", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("first sync");
        let key = |uid| inbox_key(first.uid_validity, uid);
        assert!(local_stars(&store).is_empty());

        // The user stars 2 and 3 here; another client stars 6.
        assert!(store.mark_flagged(&key(2), true).expect("star"));
        assert!(store.mark_flagged(&key(3), true).expect("star"));
        let mut other = other_client(&dovecot).await;
        other_store(&mut other, "6", "+FLAGS (\\Flagged)").await;
        step("logout other", other.logout()).await.expect("logout");

        let second = step("sync 2", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("second sync");
        assert_eq!(second.flags_pushed, 2, "{policy:?}");
        assert_eq!(server_stars(&dovecot), BTreeSet::from([2, 3, 6]), "{policy:?}: doveadm sees the stars");
        assert_eq!(local_stars(&store), BTreeSet::from([2, 3, 6]), "{policy:?}: the other star is pulled");

        assert!(store.mark_flagged(&key(3), false).expect("unstar"));
        let third = step("sync 3", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("third sync");
        assert_eq!(third.flags_pushed, 1, "{policy:?}");
        assert_eq!(server_stars(&dovecot), BTreeSet::from([2, 6]), "{policy:?}");
        assert_eq!(local_stars(&store), BTreeSet::from([2, 6]), "{policy:?}");
        assert!(store.pending_flag_changes("acct", "INBOX", first.uid_validity).expect("pending").is_empty());
    }
}

#[tokio::test]
async fn a_star_still_to_push_is_not_overwritten_by_the_pull() {
    let dovecot = start(false);
    seed(&dovecot, 1, 5);
    let store = store();
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let first = step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 1");
    let key = |uid| inbox_key(first.uid_validity, uid);

    // The user stars 4; meanwhile another client stars and unstars it, so its flags changed on
    // the server (a new MODSEQ) and say "not starred".
    store.mark_flagged(&key(4), true).expect("star");
    let mut other = other_client(&dovecot).await;
    other_store(&mut other, "4", "+FLAGS (\\Flagged)").await;
    other_store(&mut other, "4", "-FLAGS (\\Flagged)").await;
    step("logout other", other.logout()).await.expect("logout");
    // The pull alone (as step 4 would write it) leaves the star.
    assert_eq!(store.set_server_flags(&[(key(4), tidings_store::Flag::Flagged, false)]).expect("pull"), 0);
    assert_eq!(local_stars(&store), BTreeSet::from([4]));

    let report = step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2");
    assert_eq!(report.flags_pushed, 1);
    assert_eq!(local_stars(&store), BTreeSet::from([4]), "the pending star survived the sync");
    assert_eq!(server_stars(&dovecot), BTreeSet::from([4]), "and the server has it now");
}
