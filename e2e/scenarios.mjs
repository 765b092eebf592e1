// The portal's browser scenarios against one WordPress site wired to a fresh sidecar (mock Proxmox):
//   1. admin grants rights on the admin page (bootstrap mode, then not; support3 listed before their first visit)
//   2. support1: create → PROVISIONING → STOPPED → start → RUNNING with an IP → stop → prolong → share with
//      support2 (who sees the badge) → delete (confirmation) → gone from both lists
//   3. admin lowers the default RAM contingent; support1's create is refused with the sidecar's message, and
//      the form explains beforehand why the template no longer fits; the contingent is restored
//   4. no uncaught JS errors and no console errors in any page of 1–3
//   5. every control of the plugin's UI seen after a step of 1–3 has an accessible name
// Selectors are roles and accessible names (labels the UI shows), so they also check the UI's accessibility.
import { KNOWN_ISSUES } from './known-issues.mjs';
import { StepError, T, expectHidden, expectText, expectVisible, norm, waitUntil } from './harness.mjs';

const PASSWORDS = { admin: 'password', support1: 'support1-pass', support2: 'support2-pass', support3: 'support3-pass' };
const ADMIN_PAGE = '/wp-admin/admin.php?page=support-provisioning';
const PORTAL_PAGE = '/support-portal/';

// Right labels as the catalog of GET /v1/me names them (contract/src/rights.ts).
const PORTAL_RIGHTS = [
  'View the portal', // portal.view
  'Create deployments', // deployments.create
  'Start deployments', // deployments.start
  'Stop deployments', // deployments.stop
  'Prolong deployments', // deployments.prolong
  'Refresh IP addresses', // deployments.refresh_ips
  'Delete own deployments', // deployments.delete
];
// templates.manage, settings.manage, rights.manage (catalog order, as the list shows them); rights.manage ends bootstrap mode
const ADMIN_RIGHTS = ['Manage templates', 'Manage settings', 'Manage rights'];

const TEMPLATE = /^Linux Utility VM\b/; // 4096 MB, no maximum TTL (seeded by the sidecar)
const TEST_NET_IP = /\b(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\b/;

/** Runs the five tests; 2 and 3 are not run when 1 (the rights they need) failed, 4 and 5 always. */
export async function runScenarios(run) {
  const tag = run.version.replace(/\D/g, '');
  const s = { name: `e2e-${tag}-util` };
  try {
    const rights = await run.test('1. admin grants portal rights on the admin page, bootstrap mode ends', () => grantRights(run, s));
    if (rights) {
      await run.test('2. support1: create, start, stop, prolong, share with support2, delete', () => lifecycle(run, s));
      await run.test('3. a lower default RAM contingent refuses the create with the sidecar\'s message', () => contingent(run, s));
    } else {
      run.skip('2. deployment lifecycle', 'test 1 (rights)');
      run.skip('3. RAM contingent', 'test 1 (rights)');
    }
  } finally {
    await run.test('4. no uncaught JS errors and no console errors', () => noJsErrors(run));
    await run.test('5. every control of the portal and the admin page has an accessible name', () => allNamed(run));
    await run.closeContexts();
  }
}

// ---------------------------------------------------------------------------------------------------------

async function grantRights(run, s) {
  const admin = (s.admin = await run.newUserPage('admin'));
  await run.step(admin, 'admin-page-bootstrap', async () => {
    await run.login(admin, 'admin', PASSWORDS.admin, ADMIN_PAGE);
    await expectVisible(admin.getByText(/^Bootstrap mode: nobody holds the right "Manage rights" yet/), 'the bootstrap-mode notice on the admin page');
    await admin.getByRole('tab', { name: 'User rights' }).click();
    // support3 has never opened the portal: the plugin's directory sync listed them anyway.
    for (const login of ['admin', 'support1', 'support2', 'support3']) {
      await expectVisible(editButton(admin, login), `the user ${login} in the "User rights" list`);
    }
  });

  await run.step(admin, 'rights-dialog-support1', async () => {
    const dialog = await openRights(admin, 'support1');
    for (const label of PORTAL_RIGHTS) await dialog.getByRole('checkbox', { name: label, exact: true }).check();
  });
  await run.step(admin, 'rights-saved-support1', () => saveRights(admin, 'support1', PORTAL_RIGHTS));

  for (const login of ['support2', 'support3']) {
    await run.step(admin, `rights-saved-${login}`, async () => {
      const dialog = await openRights(admin, login);
      for (const label of PORTAL_RIGHTS) await dialog.getByRole('checkbox', { name: label, exact: true }).check();
      await saveRights(admin, login, PORTAL_RIGHTS);
    });
  }

  await run.step(admin, 'rights-saved-admin', async () => {
    const dialog = await openRights(admin, 'admin');
    for (const label of ADMIN_RIGHTS) await dialog.getByRole('checkbox', { name: label, exact: true }).check();
    await saveRights(admin, 'admin', ADMIN_RIGHTS);
  });

  await run.step(admin, 'admin-page-after-bootstrap', async () => {
    await admin.reload();
    await expectVisible(admin.getByRole('tab', { name: 'User rights' }), 'the "User rights" tab (admin now holds "Manage rights")');
    await expectVisible(admin.getByRole('tab', { name: 'Contingents' }), 'the "Contingents" tab (admin now holds "Manage settings")');
    if (await admin.getByText(/^Bootstrap mode:/).count()) throw new Error('the bootstrap-mode notice is still shown after admin was granted "Manage rights"');
  });

  // The rights granted before support3's first visit are there on that first visit.
  const support3 = await run.newUserPage('support3');
  await run.step(support3, 'support3-first-visit', async () => {
    await run.login(support3, 'support3', PASSWORDS.support3, PORTAL_PAGE);
    await expectVisible(support3.getByRole('button', { name: 'New deployment' }), 'support3\'s "New deployment" button (right granted before the first visit)');
    await expectVisible(support3.getByText('No deployments yet — create one from an approved template.'), 'support3\'s empty deployment list');
  });
}

function editButton(page, login) {
  // "Edit rights" + a visually hidden login: the button's accessible name names the user.
  return page.getByRole('button', { name: new RegExp(`^Edit rights\\s+${login}$`) });
}

async function openRights(page, login) {
  await editButton(page, login).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(`\\(${login}\\)$`) });
  await expectVisible(dialog, `the dialog "Rights of … (${login})"`);
  return dialog;
}

async function saveRights(page, login, labels) {
  const dialog = page.getByRole('dialog', { name: new RegExp(`\\(${login}\\)$`) });
  await dialog.getByRole('button', { name: 'Save rights' }).click();
  await expectHidden(dialog, `the rights dialog of ${login} after "Save rights"`);
  await expectVisible(page.getByText(`Rights of ${login} saved.`), `the notice "Rights of ${login} saved."`);
  const row = page.getByRole('row').filter({ has: editButton(page, login) });
  await expectText(row, new RegExp(labels.map(escapeRe).join(', ')), `the rights column of ${login}`);
}

// ---------------------------------------------------------------------------------------------------------

async function lifecycle(run, s) {
  const { name } = s;
  const p1 = (s.support1 = await run.newUserPage('support1'));
  await run.step(p1, 'portal-empty', async () => {
    await run.login(p1, 'support1', PASSWORDS.support1, PORTAL_PAGE);
    await expectVisible(p1.getByRole('region', { name: 'RAM contingents' }), 'the RAM contingent meters');
    await expectVisible(p1.getByText('No deployments yet — create one from an approved template.'), 'support1\'s empty deployment list');
  });

  await run.step(p1, 'create-form', async () => {
    await p1.getByRole('button', { name: 'New deployment' }).click();
    await expectVisible(p1.getByRole('heading', { name: 'New deployment' }), 'the "New deployment" form');
    const radio = p1.getByRole('radio', { name: TEMPLATE });
    await radio.check();
    await p1.getByLabel('Name', { exact: true }).fill(name);
    await p1.getByLabel('Time to live (hours)').fill('4');
  });

  const heading = p1.getByRole('heading', { level: 2, name: new RegExp(`^${escapeRe(name)}\\b`) });
  await run.step(p1, 'provisioning', async () => {
    await p1.getByRole('button', { name: 'Create deployment' }).click();
    await expectText(heading, /\bPROVISIONING\b/, 'the new deployment\'s heading');
    await expectVisible(p1.getByRole('status').filter({ hasText: 'Provisioning…' }), 'the progress "Provisioning…"');
    await expectText(fact(p1, 'Template'), TEMPLATE, 'the "Template" fact');
  });

  await run.step(p1, 'stopped-after-clone', async () => {
    await expectText(heading, /\bSTOPPED\b/, 'the status after the clone (polled by the UI)', T.proxmox);
    await expectHidden(p1.getByRole('status').filter({ hasText: 'Provisioning…' }), 'the progress "Provisioning…"');
    await expectText(fact(p1, 'Expires'), /^3 h 5\d min left\b/, 'the "Expires" fact (TTL 4 h)');
  });

  const actions = p1.getByRole('group', { name: 'Actions' });
  await run.step(p1, 'running-with-ip', async () => {
    await actions.getByRole('button', { name: 'Start', exact: true }).click();
    await expectText(heading, /\bRUNNING\b/, 'the status after "Start"', T.proxmox);
    // The guest agent answers 2 s after the start; the detail view keeps polling a running VM without
    // addresses, so the address must appear without anyone pressing "Refresh IPs".
    const ips = fact(p1, 'IP addresses');
    await waitUntil(
      async () => {
        const text = norm(await ips.innerText());
        return TEST_NET_IP.test(text) ? { ok: true } : { ok: false, seen: text };
      },
      { what: 'an IP address from the mock Proxmox (192.0.2.x, 198.51.100.x or 203.0.113.x) in "IP addresses", without "Refresh IPs"', timeout: T.proxmox, interval: 250 },
    );
    s.ipNote = 'the IP address showed without "Refresh IPs"';
    run.log(`      (${s.ipNote})`);
  });

  await run.step(p1, 'stopped', async () => {
    await actions.getByRole('button', { name: 'Stop', exact: true }).click();
    await expectText(heading, /\bSTOPPED\b/, 'the status after "Stop"', T.proxmox);
    await expectText(fact(p1, 'IP addresses'), /^none yet$/, 'the "IP addresses" fact of a stopped VM');
  });

  await run.step(p1, 'prolonged', async () => {
    const before = await expectText(fact(p1, 'Expires'), /^3 h 5\d min left\b/, 'the "Expires" fact before prolonging');
    await actions.getByRole('button', { name: 'Prolong', exact: true }).click();
    const hours = p1.getByLabel('Add hours');
    await hours.fill('24');
    const form = p1.locator('form').filter({ has: hours });
    await form.getByRole('button', { name: 'Prolong', exact: true }).click();
    await expectHidden(hours, 'the prolong form after "Prolong"');
    const after = await expectText(fact(p1, 'Expires'), /^1 d 3 h left\b/, 'the "Expires" fact after adding 24 h');
    if (after === before) throw new Error(`the time left did not change: ${after}`);
  });

  await run.step(p1, 'shared-with-support2', async () => {
    const sharing = p1.getByRole('region', { name: 'Sharing' });
    await sharing.getByLabel('Share with (login or e-mail)').fill('support2');
    await sharing.getByRole('button', { name: 'Share', exact: true }).click();
    await expectVisible(sharing.getByRole('button', { name: 'Remove support2' }), 'support2 in the sharing list');
  });

  const p2 = (s.support2 = await run.newUserPage('support2'));
  const row2 = deploymentRow(p2, name);
  await run.step(p2, 'support2-sees-shared', async () => {
    await run.login(p2, 'support2', PASSWORDS.support2, PORTAL_PAGE);
    await expectText(row2, /Shared with you/, `the row of ${name} in support2's list`);
    await expectText(row2, /\bSTOPPED\b/, `the status of ${name} in support2's list`);
  });
  await run.step(p2, 'support2-detail', async () => {
    await row2.getByRole('button', { name, exact: true }).click();
    const h2 = p2.getByRole('heading', { level: 2, name: new RegExp(`^${escapeRe(name)}\\b`) });
    await expectText(h2, /Shared with you/, 'the heading of the shared deployment');
    await expectText(fact(p2, 'Owner'), /\bsupport1\b/, 'the "Owner" fact');
    await p2.getByRole('button', { name: '← All deployments' }).click();
    await expectVisible(row2, `the row of ${name} in support2's list`);
  });

  await run.step(p1, 'delete-confirmation', async () => {
    await actions.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = p1.getByRole('dialog', { name: 'Delete this deployment?' });
    await expectText(dialog, new RegExp(`The virtual machine "${escapeRe(name)}" and its disks will be removed`), 'the confirmation dialog');
  });

  await run.step(p1, 'deleted-support1', async () => {
    const dialog = p1.getByRole('dialog', { name: 'Delete this deployment?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expectHidden(dialog, 'the confirmation dialog after "Delete"');
    await expectVisible(p1.getByText(`"${name}" is being deleted.`), 'the notice that the deployment is being deleted');
    const row = deploymentRow(p1, name);
    await waitUntil(
      async () => ((await row.count()) === 0 ? { ok: true } : { ok: false, seen: norm(await row.first().innerText({ timeout: 1000 }).catch(() => '')) }),
      { what: `${name} leaving support1's list (the list polls while DELETING)`, timeout: T.proxmox },
    );
    await expectVisible(p1.getByText('No deployments yet — create one from an approved template.'), 'support1\'s empty list');
  });

  await run.step(p2, 'deleted-support2', async () => {
    await p2.reload();
    await expectVisible(p2.getByText('No deployments yet — create one from an approved template.'), 'support2\'s empty list after the delete');
    if (await deploymentRow(p2, name).count()) throw new Error(`${name} is still in support2's list`);
  });
}

/** The <dd> of a fact in the deployment detail's <dl>. */
function fact(page, term) {
  return page.locator('dl dt').filter({ hasText: new RegExp(`^${escapeRe(term)}$`) }).locator('xpath=following-sibling::dd[1]');
}

function deploymentRow(page, name) {
  return page.getByRole('table', { name: 'Deployments' }).getByRole('row').filter({ has: page.getByRole('button', { name, exact: true }) });
}

// ---------------------------------------------------------------------------------------------------------

async function contingent(run, s) {
  const admin = s.admin;
  let p1 = s.support1;
  if (!p1) {
    p1 = s.support1 = await run.newUserPage('support1');
    await run.step(p1, 'support1-login', () => run.login(p1, 'support1', PASSWORDS.support1, PORTAL_PAGE));
  }
  const userLimit = admin.getByLabel('Default RAM contingent per user (MB)');
  let original = null;

  try {
    await run.step(p1, 'quota-form-fits', async () => {
      await p1.goto(PORTAL_PAGE);
      await p1.getByRole('button', { name: 'New deployment' }).click();
      const radio = p1.getByRole('radio', { name: TEMPLATE });
      await radio.check();
      await p1.getByLabel('Name', { exact: true }).fill(`${s.name}-quota`);
      await expectText(await aboutOf(p1, radio), /Fits your contingent and the global one\./, 'the fit of "Linux Utility VM" before the change');
    });

    await run.step(admin, 'contingent-2048', async () => {
      await admin.goto(ADMIN_PAGE);
      await admin.getByRole('tab', { name: 'Contingents' }).click();
      await waitUntil(async () => /^\d+$/.test(await userLimit.inputValue()), { what: 'the default RAM contingent loaded into its field' });
      original = await userLimit.inputValue();
      await userLimit.fill('2048');
      await admin.getByRole('button', { name: 'Save contingents' }).click();
      await expectVisible(admin.getByText('Contingents saved.'), 'the notice "Contingents saved."');
    });

    // The form was opened under the old contingent, so it lets the user submit: the sidecar refuses.
    await run.step(p1, 'quota-refused-by-sidecar', async () => {
      await run.allowingConsole(/Failed to load resource: the server responded with a status of 409/, async () => {
        await p1.getByRole('button', { name: 'Create deployment' }).click();
        await expectVisible(
          p1.getByText(/This needs 4096 MB of RAM, but the RAM contingent of this user is 2048 MB with \d+ MB in use/),
          'the sidecar\'s spp_quota_exceeded message in the form'
        );
      });
      await expectVisible(p1.getByRole('heading', { name: 'New deployment' }), 'the form, still open after the refusal');
    });

    // Opened again, the form knows the new contingent and says why the template does not fit.
    await run.step(p1, 'quota-explained-before-submit', async () => {
      await p1.getByRole('button', { name: 'Cancel' }).click();
      await p1.getByRole('button', { name: 'New deployment' }).click();
      const radio = p1.getByRole('radio', { name: TEMPLATE });
      await expectVisible(radio, 'the "Linux Utility VM" choice');
      // The form re-reads the contingents when it opens; the choice is disabled once they are there.
      await waitUntil(() => radio.isDisabled(), { what: '"Linux Utility VM" (4 GB) disabled under a 2 GB contingent' });
      await expectText(await aboutOf(p1, radio), /Needs 4 GB, but your contingent has only [\d.]+ (?:GB|MB) free \([\d.]+ (?:GB|MB) of 2 GB in use\)\./, 'why "Linux Utility VM" does not fit');
      await expectText(p1.getByRole('region', { name: 'RAM contingents' }), /of 2 GB in use/, 'the user contingent meter');
    });
  } finally {
    if (original !== null) {
      await run.step(admin, 'contingent-restored', async () => {
        await userLimit.fill(original);
        await admin.getByRole('button', { name: 'Save contingents' }).click();
        await expectVisible(admin.getByText('Contingents saved.'), 'the notice "Contingents saved." after restoring');
      });
    }
  }
}

/** The element that describes a radio (its aria-describedby): the template's facts and whether it fits. */
async function aboutOf(page, radio) {
  const id = await radio.getAttribute('aria-describedby');
  if (!id) throw new Error('the template choice has no aria-describedby (its description and fit are not announced)');
  return page.locator(`[id="${id}"]`);
}

// ---------------------------------------------------------------------------------------------------------

async function noJsErrors(run) {
  for (const i of run.ignored) run.log(`      (expected, ${i.who} during "${i.where}": ${i.text})`);
  const unknown = [];
  const seen = new Map();
  for (const e of run.jsErrors) {
    const known = KNOWN_ISSUES.find((k) => k.versions.includes(run.version) && k.match(e));
    if (known) seen.set(known, (seen.get(known) ?? 0) + 1);
    else unknown.push(e);
  }
  for (const k of KNOWN_ISSUES.filter((k) => k.versions.includes(run.version))) {
    run.log(seen.has(k)
      ? `      known issue ${k.id} (${seen.get(k)}×, reported, see e2e/known-issues.mjs): ${k.about}`
      : `      known issue ${k.id} no longer seen on WordPress ${run.version}: delete it from e2e/known-issues.mjs once fixed everywhere`);
  }
  if (unknown.length === 0) return;
  const lines = unknown.map((e) => `${e.kind} for ${e.who} during "${e.where}" (${e.url}): ${e.text.split('\n').slice(0, 4).join(' | ')}`);
  throw new StepError(`${unknown.length} JS error(s) not listed in e2e/known-issues.mjs:\n${lines.join('\n')}`);
}

async function allNamed(run) {
  const { snapshots, controls } = run.namesChecked;
  run.log(`      (${controls} named controls in ${snapshots} accessibility snapshots of the portal, the admin page and dialogs)`);
  if (snapshots === 0 || controls === 0) throw new StepError('no control of the plugin\'s UI was checked: the selectors of its roots are outdated (e2e/harness.mjs checkNames)');
  if (run.unnamed.size === 0) return;
  const lines = [...run.unnamed.values()].map((u) => `${u.path}${u.text ? ` (text "${u.text}")` : ''} — ${u.who} during "${u.where}"`);
  throw new StepError(`${run.unnamed.size} control(s) without an accessible name:\n${lines.join('\n')}`);
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
