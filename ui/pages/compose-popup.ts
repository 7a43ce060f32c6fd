import { mount } from "svelte";
import ComposePopup from "./ComposePopup.svelte";

mount(ComposePopup, { target: document.getElementById("app")! });
