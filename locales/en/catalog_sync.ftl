## The catalog screen of the admin console: each panel's last catalog sync.
## Reasons and errors are the panel's or the shop's own words, shown verbatim (escaped).

catsync-title = 🔄 <b>Last catalog syncs</b>
catsync-never = { $panel }: not synced yet
catsync-ok = { $panel }: synced { $when } · { $total ->
    [one] { $total } service
   *[other] { $total } services
}
catsync-skipped = { $count ->
    [one] ⚠️ { $count } row skipped:
   *[other] ⚠️ { $count } rows skipped:
}
catsync-reason = • <code>{ $service }</code>: { $reason }
catsync-reason-no-id = • (no service id): { $reason }
catsync-more = • … and { $count } more
catsync-failed = ⚠️ The last sync failed { $when }: { $error }
    The shop keeps selling the catalog it has and tries again on schedule.
catsync-more-panels = { $count ->
    [one] … and { $count } more panel
   *[other] … and { $count } more panels
}
