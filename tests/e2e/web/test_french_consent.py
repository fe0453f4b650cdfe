"""A browser journey in Canadian French: a coordinator whose browser asks for fr-CA logs in, starts an electronic
consent, the participant reads the form in French, gets a question wrong and discusses it, answers again and signs,
and the coordinator countersigns; the consent is recorded with its signed PDF."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.edc import PASSWORD

pytestmark = pytest.mark.browser


def _answer(page: Any, answers: list[str]) -> None:
    for number, answer in enumerate(answers):
        page.locator("#comprehension fieldset").nth(number).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Vérifier mes réponses").click()
    page.wait_for_load_state()


def test_an_electronic_consent_in_french(browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    from mescams.edc.econsent.models import ElectronicConsent

    context = browser.new_context(locale="fr-CA", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr-ca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    page.get_by_label("Nom d’utilisateur").fill("coord")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    page.get_by_role("link", name="Consentement électronique").click()
    expect(page.get_by_label("Langue de lecture du participant")).to_have_value("fr-ca")
    page.locator("#id_site").select_option("OTT")
    page.get_by_role("button", name="Remettre l’écran au participant").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Nous vous invitons à participer à MESCAMS")).to_be_visible()
    _answer(page, ["Vrai", "Vrai", "Vrai"])  # the second statement is false: the participant goes over it again
    expect(page.get_by_role("alert")).to_contain_text("Question 2 : veuillez revoir ce point du formulaire")
    shoot(page, "econsent-fr-comprehension")
    _answer(page, ["Vrai", "Faux", "Vrai"])

    page.get_by_label("Votre nom complet (votre signature)").fill("Marie-Ève Tremblay")
    page.get_by_label("J’ai lu ce formulaire", exact=False).check()
    page.get_by_role("button", name="Signer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Le participant a signé")
    page.get_by_label("Votre mot de passe", exact=False).fill(PASSWORD)
    page.get_by_role("button", name="Contresigner et enregistrer le consentement").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Consentement enregistré")
    expect(page.get_by_role("link", name="Télécharger le formulaire signé (PDF)")).to_be_visible()
    shoot(page, "econsent-fr-recorded")
    record = ElectronicConsent.objects.get()
    assert (record.language, record.comprehension_attempts, record.consent.obtained_by.username) == (
        "fr-ca", 2, "coord")
    assert bytes(record.pdf).startswith(b"%PDF")
    context.close()
