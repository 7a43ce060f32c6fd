import { mount } from "svelte";
import MessagePopup from "./MessagePopup.svelte";

mount(MessagePopup, { target: document.getElementById("app")! });
