// Where a JSON value sits and which field rule governs it, as the document
// streams: a stack of frames (one per open object or array), each with the
// path-matcher states of its members and the action they inherit.
//
// A rule applies to the value at its path and everything inside it, unless a
// rule matches deeper; at the same path, the first rule of the profile wins.
import { SCAN, type FieldAction, type MaskEngine } from './engine.ts';
import type { PathStates } from './path-pattern.ts';

interface Frame {
  isArray: boolean;
  states: PathStates;
  action: FieldAction;
  entity: string;
  index: number;
  /** The rule of the member whose name was read last (objects). */
  memberStates: PathStates;
  memberAction: FieldAction;
  memberEntity: string;
}

export interface RootRule {
  states: PathStates;
  action: FieldAction;
  entity: string;
}

export class JsonPathTracker {
  private readonly engine: MaskEngine;
  private readonly root: RootRule;
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** The value that starts now (after enterValue). */
  states: PathStates;
  action: FieldAction;
  entity: string;

  /** `root` continues the path of a string that holds this document; default: the document root. */
  constructor(engine: MaskEngine, root?: RootRule) {
    this.engine = engine;
    if (root === undefined) {
      const matcher = engine.matcher;
      const rule = matcher.firstAccepting(matcher.root);
      this.root = { states: matcher.root, ...this.ruleOf(rule, SCAN, '') };
    } else this.root = root;
    this.states = this.root.states;
    this.action = this.root.action;
    this.entity = this.root.entity;
  }

  /** Decides the path and rule of the value that starts now. */
  enterValue(): void {
    const frame = this.frames[this.depth - 1];
    if (this.depth === 0 || frame === undefined) {
      this.states = this.root.states;
      this.action = this.root.action;
      this.entity = this.root.entity;
      return;
    }
    if (!frame.isArray) {
      this.states = frame.memberStates;
      this.action = frame.memberAction;
      this.entity = frame.memberEntity;
      return;
    }
    const index = frame.index++;
    this.step(frame, index);
    this.states = frame.memberStates;
    this.action = frame.memberAction;
    this.entity = frame.memberEntity;
  }

  /** The value that just started is an object or array: its members live in a new frame. */
  openContainer(isArray: boolean): void {
    const frame = this.frames[this.depth] ?? this.newFrame();
    frame.isArray = isArray;
    frame.states = this.states;
    frame.action = this.action;
    frame.entity = this.entity;
    frame.index = 0;
    frame.memberStates = this.engine.matcher.empty;
    frame.memberAction = this.action;
    frame.memberEntity = this.entity;
    this.depth++;
  }

  closeContainer(): void {
    this.depth--;
  }

  /** A member name was read in the innermost object. */
  memberName(name: string): void {
    const frame = this.frames[this.depth - 1];
    if (frame !== undefined) this.step(frame, name);
  }

  /** The action of the innermost container (decides whether member names are scanned). */
  get containerAction(): FieldAction {
    return this.frames[this.depth - 1]?.action ?? this.root.action;
  }

  private step(frame: Frame, component: string | number): void {
    const matcher = this.engine.matcher;
    if (frame.states === matcher.empty) {
      frame.memberStates = frame.states;
      frame.memberAction = frame.action;
      frame.memberEntity = frame.entity;
      return;
    }
    const states = matcher.step(frame.states, component);
    const rule = matcher.firstAccepting(states);
    frame.memberStates = states;
    if (rule < 0) {
      frame.memberAction = frame.action;
      frame.memberEntity = frame.entity;
    } else {
      frame.memberAction = this.engine.ruleActions[rule] ?? SCAN;
      frame.memberEntity = this.engine.ruleEntities[rule] ?? '';
    }
  }

  private ruleOf(
    rule: number,
    action: FieldAction,
    entity: string,
  ): { action: FieldAction; entity: string } {
    if (rule < 0) return { action, entity };
    return {
      action: this.engine.ruleActions[rule] ?? SCAN,
      entity: this.engine.ruleEntities[rule] ?? '',
    };
  }

  private newFrame(): Frame {
    const empty = this.engine.matcher.empty;
    const frame: Frame = {
      isArray: false,
      states: empty,
      action: SCAN,
      entity: '',
      index: 0,
      memberStates: empty,
      memberAction: SCAN,
      memberEntity: '',
    };
    this.frames.push(frame);
    return frame;
  }
}
