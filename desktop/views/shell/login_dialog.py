"""Sign in: server address, user name, password, Remember me. The request runs on a worker."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLayout, QLineEdit, QSizePolicy, QVBoxLayout, QWidget)

from desktop.announcer import AlertBanner, announce, announcer
from desktop.sync.client import ApiClient, ApiError, BadServerAddress, ServerUnreachable, normalise_server_url
from desktop.sync.credentials import NO_SECURE_KEYRING, BackendCheck, Credentials
from desktop.operations import Operations, after_paint
from desktop.views.forms.field_error import FieldError
from desktop.views.shell.icon import app_icon

PRODUCT = "Bridewell"
CHOOSE_SUITE = "Choose the custody suite…"
WHOLE_FORCE = "No suite: every suite of the force"
NO_SUITE_CHOSEN = "No custody suite chosen: the board shows every suite of the force."
TAGLINE = "Custody, investigations and intelligence"


class LoginDialog(QDialog):
    signed_in = Signal(object, dict)  # ApiClient, login result {token, expires_at, user}

    def __init__(self, ops: Operations, credentials: Credentials, server_url: str = "", *,
                 server_key: str | None = None, username: str = "", message: str = "",
                 offline: Callable[[str, str], dict[str, Any]] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        # Offline start (desktop/sync/offline.py): run on the worker when the server cannot be reached; the user,
        # or OfflineSignInRefused saying why not.
        self._offline = offline
        self.setObjectName("loginDialog")
        self.setWindowTitle("Sign in to Bridewell")
        self.setWindowIcon(app_icon())
        self._ops = ops
        self._credentials = credentials
        self._server_key = server_key
        self.client: ApiClient | None = None
        self.result_data: dict[str, Any] | None = None
        self.keyring_secure: bool | None = None
        self.busy = False

        self.server_edit = QLineEdit(server_url)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setAccessibleDescription("For example https://custody.example.police.uk")
        self.username_edit = QLineEdit(username)
        self.username_edit.setObjectName("usernameEdit")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Issue 15: the suite this workstation is in. Filled from what this workstation remembers
        # (settings.ini) and, after signing in, from the server; never chosen for the officer.
        self.suite_combo = QComboBox()
        self.suite_combo.setObjectName("suiteCombo")
        # As wide as the form, not as the longest suite name: the dialog must fit the screen at 200% text.
        self.suite_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.suite_combo.setMinimumContentsLength(16)
        self.suite_combo.setAccessibleDescription("The custody suite this workstation is in; its board shows that "
                                                  "suite. The list comes from the server once you sign in.")
        self.suites: list[dict[str, Any]] = []
        self.set_suites([], None)
        self.remember_check = QCheckBox("&Remember me on this computer")
        self.remember_check.setObjectName("rememberCheck")
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setObjectName("loginStatus")
        self.status_label.setWordWrap(True)

        self.server_error = FieldError(self.server_edit, "serverError")
        self.username_error = FieldError(self.username_edit, "usernameError")
        self.password_error = FieldError(self.password_edit, "passwordError")

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Ser&ver address:", self.server_edit)
        form.addRow("", self.server_error)
        # The workstation's suite sits with the server address (both belong to this computer, not to the person):
        # Tab from Password goes on to Remember me and Sign in, and Shift+Tab comes straight back, as before.
        form.addRow("Custody su&ite:", self.suite_combo)
        form.addRow("&User name:", self.username_edit)
        form.addRow("", self.username_error)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", self.password_error)
        form.addRow("", self.remember_check)
        form.addRow("", self.keyring_note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("cancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        # The product, so a user knows what they are signing in to (the icon is also the window's).
        self.product_icon = QLabel()
        self.product_icon.setObjectName("productIcon")
        self.product_icon.setPixmap(app_icon().pixmap(QSize(48, 48)))
        self.product_icon.setAccessibleName(f"{PRODUCT} logo")
        self.product_name = QLabel(PRODUCT)
        self.product_name.setObjectName("productName")
        title_font = self.product_name.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        self.product_name.setFont(title_font)
        self.product_tagline = QLabel(TAGLINE)
        self.product_tagline.setObjectName("productTagline")
        self.product_tagline.setWordWrap(True)
        names = QVBoxLayout()
        names.addWidget(self.product_name)
        names.addWidget(self.product_tagline)
        heading = QHBoxLayout()
        heading.addWidget(self.product_icon)
        heading.addLayout(names, 1)
        # What is announced here also appears here, so Orca 43 speaks it (desktop/announcer.py).
        self.alert_banner = AlertBanner(self)

        for label in (self.keyring_note, self.status_label, self.server_error, self.username_error,
                      self.password_error):
            # A wrapped message takes the height its text needs at the dialog's width, never a sliver.
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.alert_banner)
        layout.addWidget(self.buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        # Tab goes down the form as it reads (the combo was made after the password field).
        chain = (self.server_edit, self.suite_combo, self.username_edit, self.password_edit, self.remember_check)
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

        if message:
            self.status_label.setText(message)
        # The server's suites and the keyring check begin once the dialog has painted (at most 0.5 s after it is
        # made, should it never be exposed): their workers import httpx and keyring, holding the GIL for a few
        # tenths of a second, which delayed the first window a person sees (docs/performance.md).
        self._reads_begun = False
        after_paint(self, self._begin_reads)
        QTimer.singleShot(500, self, self._begin_reads)
        first_empty = next((w for w in (self.server_edit, self.username_edit, self.password_edit) if not w.text()),
                           self.password_edit)
        first_empty.setFocus()

    def _begin_reads(self) -> None:
        if self._reads_begun:
            return
        self._reads_begun = True
        self.load_suites()
        self._ops.run(self._credentials.check, on_done=self._keyring_checked, on_error=self._keyring_failed,
                      owner=self)

    # Keyring ----------------------------------------------------------------------------------------------
    def _keyring_checked(self, check: BackendCheck) -> None:
        self.keyring_secure = check.secure
        if not check.secure:
            self._no_keyring(f"{NO_SECURE_KEYRING} ({check.reason})")

    def _keyring_failed(self, exc: BaseException) -> None:
        self.keyring_secure = False
        self._no_keyring(f"{NO_SECURE_KEYRING} ({exc})")

    def _no_keyring(self, text: str) -> None:
        self.remember_check.setChecked(False)
        self.remember_check.setEnabled(False)
        self.remember_check.setAccessibleDescription(NO_SECURE_KEYRING)
        self.keyring_note.setText(text)
        self.keyring_note.setVisible(True)
        announce(NO_SECURE_KEYRING)

    def _refit(self) -> None:
        """Grow to show a message that appeared (wrapped labels need their height at the current width)."""
        QTimer.singleShot(0, self, self._grow_to_fit)  # not after the dialog is gone

    def event(self, event: QEvent) -> bool:
        # Whatever appears later (a problem, the keyring note, the alert banner) asks for a new layout: the
        # minimum size the layout sets ignores wrapped text's height for the width, so grow to that too.
        if event.type() == QEvent.Type.LayoutRequest:
            self._refit()
        return super().event(event)

    def _grow_to_fit(self) -> None:
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(width, needed)

    # The suite ----------------------------------------------------------------------------------------------
    def set_suites(self, suites: list[dict[str, Any]], chosen_id: str | None) -> None:
        """The suites to choose from, keeping the choice made (or the one this workstation remembers)."""
        current = self.suite_combo.currentData() if self.suite_combo.count() else None
        keep = current if current is not None else chosen_id
        offered = [s for s in suites if s.get("id")]
        if keep and keep != "" and not any(s["id"] == keep for s in offered):
            keep = None if offered else keep  # a suite the server no longer has is not offered
        combo = self.suite_combo
        entries = [(CHOOSE_SUITE, None), *((f"{s.get('name')} ({s.get('code')})", s["id"]) for s in offered),
                   (WHOLE_FORCE, "")]
        self.suites = offered
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == entries \
                and combo.currentData() == keep:
            # The same choices again (the sign-in answer repeats what was read when the dialog opened): refilling
            # the combo would only send a screen reader a burst of events just as the main window is built.
            return
        combo.blockSignals(True)
        combo.clear()
        for text, data in entries:
            combo.addItem(text, data)
        index = combo.findData(keep) if keep is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def load_suites(self) -> None:
        """Ask the server for its suites (no sign-in needed), on a worker; an address that does not answer yet (the
        embedded server still starting) leaves the list as remembered, and is asked again when it is ready."""
        try:
            url = normalise_server_url(self.server_edit.text())
        except BadServerAddress:
            return

        def read() -> list[dict[str, Any]]:
            client = ApiClient(url)
            try:
                return client.suite_names()
            finally:
                client.close()

        self._ops.run(read, on_done=lambda suites: self.set_suites(suites, None) if suites else None,
                      on_error=lambda _exc: None, owner=self)

    def chosen_suite(self) -> dict[str, Any] | None | bool:
        """The suite chosen ({id, code, name}), None for the whole force, False when nothing is chosen yet."""
        data = self.suite_combo.currentData()
        if data is None:
            return False
        if data == "":
            return None
        found = next((s for s in self.suites if s["id"] == data), None)
        return {k: (found or {}).get(k) for k in ("id", "code", "name")} if found else False

    def _finish_with_suite(self) -> None:
        """After the server accepted the sign-in: emit it with the suite chosen (none chosen: the whole force,
        and said so)."""
        chosen = self.chosen_suite()
        assert self.client is not None and self.result_data is not None
        self.result_data["suite"] = chosen if chosen is not False else None
        self.result_data["suites"] = self.suites
        user = self.result_data.get("user") or {}
        name = user.get("display_name") or user.get("username", "")
        where = f" at {chosen['name']}" if isinstance(chosen, dict) else ". " + NO_SUITE_CHOSEN if chosen is False \
            else ""
        announce(f"Server unreachable: signed in as {name}{where} on this computer only. Work is kept here and sent "
                 "when the server returns." if self.result_data.get("offline") else f"Signed in as {name}{where}")
        self.signed_in.emit(self.client, self.result_data)
        self.accept()

    # Sign in ----------------------------------------------------------------------------------------------
    def _clear_errors(self) -> None:
        for error in (self.server_error, self.username_error, self.password_error):
            error.clear_problem()

    def submit(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        try:
            url = normalise_server_url(self.server_edit.text())
        except BadServerAddress as exc:
            self.server_error.show_problem(str(exc))
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username:
            self.username_error.show_problem("Enter your user name.")
            return
        if not password:
            self.password_error.show_problem("Enter your password.")
            return
        remember = self.remember_check.isChecked() and self.remember_check.isEnabled()
        server_key = self._server_key or url
        credentials = self._credentials
        offline = self._offline

        def sign_in() -> tuple[ApiClient, dict[str, Any], BackendCheck | None]:
            client = ApiClient(url)
            try:
                result = client.login(username, password)
            except ServerUnreachable:
                if offline is None:
                    client.close()
                    raise
                try:
                    return client, {"user": offline(username, password), "offline": True}, None
                except BaseException:
                    client.close()
                    raise
            except BaseException:
                client.close()
                raise
            stored = credentials.save_token(server_key, username, result["token"]) if remember else None
            try:
                result["suites"] = client.suites()  # to choose the workstation's suite from (issue 15)
            except (ApiError, ServerUnreachable):
                result["suites"] = None  # an older server, or it went: keep what this workstation knows
            return client, result, stored

        self._set_busy(True)
        self.status_label.setText(f"Signing in to {url}…")
        announce(f"Signing in to {url}")
        self._ops.run(sign_in, on_done=self._signed_in, on_error=self._failed, owner=self)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.sign_in_button.setEnabled(not busy)

    def _signed_in(self, value: tuple[ApiClient, dict[str, Any], BackendCheck | None]) -> None:
        client, result, stored = value
        self._set_busy(False)
        self.client = client
        self.result_data = result
        if stored is not None and not stored.secure:
            announce(f"{NO_SECURE_KEYRING} ({stored.reason})")
        if result.get("suites") is not None:
            self.set_suites(result["suites"], None)
        self._finish_with_suite()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status_label.setText("")
        self.alert_banner.clear()  # "Signing in to…" is over: the refusal is said on its own
        announcer().drop_pending_progress()  # also when the answer came before "Signing in to…" was shown
        # Imported here, not with the dialog: desktop.sync.offline brings the local store and SQLAlchemy (~0.3 s),
        # which would delay the first window's paint (docs/performance.md). By now start-up's worker has loaded it.
        from desktop.sync.offline import OfflineSignInRefused

        if isinstance(exc, OfflineSignInRefused):
            self.password_error.show_problem(f"Cannot reach the server, and cannot sign in on this computer only: "
                                             f"{exc}")
        elif isinstance(exc, ServerUnreachable):
            self.server_error.show_problem(
                f"Cannot reach the server at {self.server_edit.text().strip()}. Check the address and the "
                "network, then try again.")
        elif isinstance(exc, ApiError) and exc.status == 429:
            wait = max(1, round(exc.retry_after or 0))
            when = f"{wait} second{'s' if wait != 1 else ''}" if wait < 120 else f"{(wait + 59) // 60} minutes"
            self.password_error.show_problem(
                f"Sign-in is paused after too many wrong passwords for this user or from this computer. "
                f"Try again in {when}; until then even the right password is refused.")
        elif isinstance(exc, ApiError) and exc.status == 401:
            self.password_error.show_problem("The user name or password is wrong. Check them and try again.")
            self.password_edit.selectAll()
        elif isinstance(exc, ApiError) and exc.field_errors:
            field, message = next(iter(exc.field_errors.items()))
            target = self.username_error if field == "username" else self.password_error
            target.show_problem(message)
        elif isinstance(exc, ApiError) and exc.status == 404:
            self.server_error.show_problem("That address answers, but it is not a Bridewell server.")
        elif isinstance(exc, ApiError):
            self.password_error.show_problem(f"The server refused the sign-in: {exc}")
        else:
            self.server_error.show_problem(f"Signing in failed: {exc}")

    def show_expired(self) -> None:
        """A remembered sign-in the server no longer accepts."""
        self.password_error.show_problem("Your saved sign-in has expired. Enter your password to sign in again.")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # Escape cancels even while a request is in flight
            self.reject()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Return signs in from any field, whatever had focus before: QDialog's default-button logic loses
            # track after Tab has visited the buttons (Tab to Sign in, Shift+Tab back, type, Return did nothing).
            cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            if self.focusWidget() is cancel:
                self.reject()
            else:
                self.submit()
            event.accept()
            return
        super().keyPressEvent(event)
